import assert from 'node:assert/strict';

import Database from 'better-sqlite3';
import path from 'node:path';

import { readFileSync } from 'node:fs';

import { FakeLlmServer } from './support/llm-server.js';
import { corpusFile } from './support/paths.js';
import { BOT_USER_ID, Scenario, inReplyTo } from './support/scenario.js';

function countJobs(dir: string, eventId: string): number {
  const db = new Database(path.join(dir, 'jobs.sqlite'), { readonly: true });
  try {
    return (
      db.prepare('SELECT count(*) AS n FROM jobs WHERE event_id = ?').get(eventId) as { n: number }
    ).n;
  } finally {
    db.close();
  }
}

/** Start times of the extraction stage, from the bridge's debug log, per job. */
function stageWindows(logs: string[]): Map<string, { start: number; end: number }> {
  const windows = new Map<string, { start: number; end: number }>();
  for (const line of logs) {
    const time = Date.parse(line.slice(0, 24));
    const job = / job=(\d+)/.exec(line)?.[1];
    if (!job) continue;
    if (line.includes('stage started') && line.includes('stage=extract')) {
      windows.set(job, { start: time, end: Infinity });
    } else if (line.includes('stage done') && line.includes('stage=extract')) {
      const window = windows.get(job);
      if (window) window.end = time;
    }
  }
  return windows;
}

describe('end to end with the built-in summarizer', function () {
  this.timeout(120_000);
  let scenario: Scenario;

  before(async () => {
    scenario = await Scenario.start();
    await scenario.roomWithBot();
  });
  after(async () => {
    await scenario?.stop();
  });

  it('joins a room it is invited to', () => {
    const joins = scenario.hs
      .timeline(scenario.roomId)
      .filter((e) => e.type === 'm.room.member' && e.state_key === BOT_USER_ID);
    assert.deepEqual(
      joins.map((e) => e.content.membership),
      ['invite', 'join'],
    );
  });

  it('answers five real PDFs, a long one too, with a working reply then a summary', async () => {
    const files = ['c001.pdf', 'c004.pdf', 'c012.pdf', 'c014.pdf', 'c005.pdf'];
    const uploads = new Map<string, string>();
    for (const file of files) uploads.set(file, await scenario.uploadCorpus(file));

    for (const [file, eventId] of uploads) {
      const replies = await scenario.waitForAnswer(eventId, 60_000);
      assert.equal(replies.length, 2, `${file}: two replies`);
      const [working, summary] = replies;
      assert.match(String(working!.content.body), new RegExp(`^Working on "${file}"`));
      assert.match(
        String(summary!.content.body),
        new RegExp(`^Summary of "${file}" \\(\\d+ pages?\\)`),
      );
      for (const reply of replies) {
        assert.equal(reply.content.msgtype, 'm.notice');
        assert.deepEqual(reply.content['m.mentions'], {});
        assert.equal(inReplyTo(reply), eventId);
        assert.equal(reply.content.format, 'org.matrix.custom.html');
      }
      assert.ok(String(summary!.content.body).length > 200, `${file}: a real summary`);
    }
    const long = scenario.repliesTo(uploads.get('c005.pdf')!)[1]!;
    assert.match(String(long.content.body), /\(352 pages\)/);
  });

  it('works on three PDFs at once in the worker pool', async () => {
    const before = scenario.bridge.logs.length;
    const events = await Promise.all(
      ['c003.pdf', 'c007.pdf', 'c010.pdf'].map((file) => scenario.uploadCorpus(file)),
    );
    for (const eventId of events) await scenario.waitForAnswer(eventId, 90_000);
    const windows = [...stageWindows(scenario.bridge.logs.slice(before)).values()];
    assert.equal(windows.length, 3, 'three extractions logged');
    const latestStart = Math.max(...windows.map((w) => w.start));
    const earliestEnd = Math.min(...windows.map((w) => w.end));
    assert.ok(latestStart < earliestEnd, 'all three extractions were running at the same moment');
  });

  it('tells the uploader plainly why a file cannot be summarized, and keeps serving', async () => {
    const cases = [
      ['c036.pdf', /password-protected/],
      ['c056.pdf', /not a PDF/],
      ['c028.pdf', /no text layer.*OCR/s],
    ] as const;
    for (const [file, expected] of cases) {
      const eventId = await scenario.uploadCorpus(file);
      const replies = await scenario.waitForAnswer(eventId);
      assert.equal(replies.length, 2, file);
      const body = String(replies[1]!.content.body);
      assert.match(body, /^Sorry, I could not summarize/);
      assert.match(body, expected);
      assert.doesNotMatch(body, /Error|at .*\.js|Exception/, `${file}: no internals in the reply`);
    }
    const eventId = await scenario.uploadCorpus('c001.pdf');
    const replies = await scenario.waitForAnswer(eventId);
    assert.match(String(replies[1]!.content.body), /^Summary of/);
  });

  it('ignores text, images, other files and its own messages', async () => {
    const ignored = [
      await scenario.alice.sendMessage(scenario.roomId, { msgtype: 'm.text', body: 'hello bot' }),
      await scenario.alice.sendMessage(scenario.roomId, {
        msgtype: 'm.image',
        body: 'cat.png',
        url: 'mxc://test.localhost/cat',
        info: { mimetype: 'image/png' },
      }),
      await scenario.alice.sendMessage(scenario.roomId, {
        msgtype: 'm.file',
        body: 'notes.docx',
        url: 'mxc://test.localhost/notes',
        info: {
          mimetype: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        },
      }),
    ];
    // An upload after them is answered, so the bridge has seen the others by then.
    const pdf = await scenario.uploadCorpus('c014.pdf');
    await scenario.waitForAnswer(pdf);
    for (const eventId of ignored) {
      assert.deepEqual(scenario.repliesTo(eventId), [], 'no reply');
      assert.equal(countJobs(scenario.dir, eventId), 0, 'no job');
    }
    const botEvents = scenario.hs.timeline(scenario.roomId).filter((e) => e.sender === BOT_USER_ID);
    for (const event of botEvents) assert.equal(countJobs(scenario.dir, event.event_id), 0);
  });

  it('refuses transactions without the right hs_token and queues nothing', async () => {
    const event = {
      event_id: '$forged:test.localhost',
      room_id: scenario.roomId,
      sender: '@alice:test.localhost',
      type: 'm.room.message',
      origin_server_ts: Date.now(),
      content: {
        msgtype: 'm.file',
        body: 'forged.pdf',
        url: 'mxc://test.localhost/forged',
        info: { mimetype: 'application/pdf' },
      },
    };
    const missing = await scenario.hs.pushRawTransaction(
      'forged-1',
      { events: [event] },
      { token: null },
    );
    assert.equal(missing.status, 401);
    assert.equal((missing.body as { errcode?: string }).errcode, 'M_UNAUTHORIZED');
    const wrong = await scenario.hs.pushRawTransaction(
      'forged-2',
      { events: [event] },
      { token: 'nope' },
    );
    assert.equal(wrong.status, 403);
    assert.equal((wrong.body as { errcode?: string }).errcode, 'M_FORBIDDEN');
    assert.equal(countJobs(scenario.dir, event.event_id), 0);
  });

  it('answers malformed transactions with Matrix errors and keeps serving', async () => {
    const push = (id: string, body: unknown) => scenario.hs.pushRawTransaction(id, body);
    const cases: Array<[unknown, number, string | undefined]> = [
      ['{not json', 400, 'M_NOT_JSON'],
      [{ events: 5 }, 400, 'M_BAD_JSON'],
      [[null], 400, 'M_BAD_JSON'],
      // Junk inside a well-formed list is skipped, not a reason to make the server retry.
      [{ events: [null, 7, { type: 'm.room.message' }] }, 200, undefined],
      [{ events: [], 'de.sorunome.msc2409.ephemeral': 5 }, 200, undefined],
    ];
    for (const [index, [body, status, errcode]] of cases.entries()) {
      const answer = await push(`junk-${index}`, body);
      assert.equal(answer.status, status, JSON.stringify(body));
      assert.equal((answer.body as { errcode?: string }).errcode, errcode);
    }
    const unknown = await fetch(`http://127.0.0.1:${scenario.bridge.port}/_matrix/app/v1/nope`);
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { errcode: string }).errcode, 'M_UNRECOGNIZED');

    const eventId = await scenario.uploadCorpus('c001.pdf');
    await scenario.waitForAnswer(eventId);
    assert.ok(!scenario.bridge.logs.some((line) => /unhandled rejection/.test(line)));
  });

  it('makes one job for an event sent twice, in a replayed or a new transaction', async () => {
    const eventId = await scenario.uploadCorpus('c001.pdf');
    await scenario.waitForAnswer(eventId);
    const event = scenario.hs.timeline(scenario.roomId).find((e) => e.event_id === eventId)!;
    for (const txnId of ['replay-1', 'replay-1', 'replay-2']) {
      const answer = await scenario.hs.pushRawTransaction(txnId, { events: [event] });
      assert.equal(answer.status, 200);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(countJobs(scenario.dir, eventId), 1);
    assert.equal(scenario.repliesTo(eventId).length, 2);
  });

  it('reuses the stored summary when the same file is uploaded again', async () => {
    const first = await scenario.uploadCorpus('c013.pdf');
    const [, original] = await scenario.waitForAnswer(first);
    const before = scenario.bridge.logs.length;
    const again = await scenario.uploadCorpus('c013.pdf');
    const [, reused] = await scenario.waitForAnswer(again);
    assert.equal(reused!.content.body, original!.content.body);
    const outcome = scenario.bridge.logs.slice(before).find((line) => /job done/.test(line))!;
    assert.match(outcome, /reuse_ms=/);
    assert.doesNotMatch(outcome, /extract_ms=/, 'not read again');
  });

  it('answers an upload made inside a thread in that thread', async () => {
    const root = await scenario.alice.sendMessage(scenario.roomId, {
      msgtype: 'm.text',
      body: 'Reports for this week',
    });
    const bytes = new Uint8Array(readFileSync(corpusFile('c001.pdf')));
    const mxc = await scenario.alice.upload(bytes, {
      fileName: 'c001.pdf',
      contentType: 'application/pdf',
    });
    const eventId = await scenario.alice.sendMessage(scenario.roomId, {
      msgtype: 'm.file',
      body: 'c001.pdf',
      url: mxc,
      info: { mimetype: 'application/pdf', size: bytes.length },
      'm.relates_to': { rel_type: 'm.thread', event_id: root },
    });
    const replies = await scenario.waitForAnswer(eventId);
    for (const reply of replies) {
      const relation = reply.content['m.relates_to'] as Record<string, unknown>;
      assert.equal(relation.rel_type, 'm.thread');
      assert.equal(relation.event_id, root);
      assert.equal(inReplyTo(reply), eventId);
    }
  });

  it('says once that it cannot read an encrypted room', async () => {
    const roomId = await scenario.alice.createRoom({
      invite: [BOT_USER_ID],
      initialState: [
        { type: 'm.room.encryption', stateKey: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } },
      ],
    });
    const note = await scenario.hs.waitForEvent(
      (e) => e.room_id === roomId && e.sender === BOT_USER_ID && e.type === 'm.room.message',
      { timeoutMs: 15_000 },
    );
    assert.match(String(note.content.body), /encrypted.*cannot read/s);
    // A second reason to say it (the encryption event arriving again) says nothing more.
    await scenario.alice.sendState(roomId, 'm.room.encryption', '', {
      algorithm: 'm.megolm.v1.aes-sha2',
      rotation_period_ms: 604800000,
    });
    const probe = await scenario.uploadCorpus('c001.pdf');
    await scenario.waitForAnswer(probe);
    const notices = scenario.hs
      .timeline(roomId)
      .filter((e) => e.sender === BOT_USER_ID && e.type === 'm.room.message');
    assert.equal(notices.length, 1);
  });

  it('says so once when a room it is in turns encryption on', async () => {
    const roomId = await scenario.alice.createRoom({ invite: [BOT_USER_ID] });
    await scenario.hs.waitForEvent(
      (e) => e.room_id === roomId && e.state_key === BOT_USER_ID && e.content.membership === 'join',
      { timeoutMs: 15_000 },
    );
    await scenario.alice.sendState(roomId, 'm.room.encryption', '', {
      algorithm: 'm.megolm.v1.aes-sha2',
    });
    const note = await scenario.hs.waitForEvent(
      (e) => e.room_id === roomId && e.sender === BOT_USER_ID && e.type === 'm.room.message',
      { timeoutMs: 15_000 },
    );
    assert.match(String(note.content.body), /encrypted.*cannot read/s);
  });

  it('never writes its tokens to the log', () => {
    const log = scenario.bridge.logs.join('\n');
    assert.ok(log.length > 1000, 'there is a log to check');
    assert.ok(!log.includes(scenario.tokens.asToken), 'as_token');
    assert.ok(!log.includes(scenario.tokens.hsToken), 'hs_token');
  });
});

describe('end to end with an OpenAI-compatible server', function () {
  this.timeout(120_000);
  const apiKey = 'sk-test-3f9a1c0e5b7d2468';
  let llm: FakeLlmServer;
  let scenario: Scenario;

  before(async () => {
    llm = new FakeLlmServer({ model: 'loopback-model' });
    const url = await llm.start();
    scenario = await Scenario.start({
      config: {
        summarizer: {
          backend: 'openai',
          // A context large enough for the test files to go in one request each.
          openai: {
            base_url: url,
            api_key: apiKey,
            model: 'loopback-model',
            max_attempts: 1,
            context_tokens: 65536,
          },
        },
      },
    });
    await scenario.roomWithBot();
  });
  after(async () => {
    await scenario?.stop();
    await llm?.stop();
  });

  it("sends the document's text to the model and posts its summary", async () => {
    const eventId = await scenario.uploadCorpus('c014.pdf');
    const [working, summary] = await scenario.waitForAnswer(eventId, 60_000);
    assert.match(String(working!.content.body), /^Working on "c014\.pdf"/);
    assert.match(String(summary!.content.body), /^Summary of "c014\.pdf" \(19 pages\)/);

    assert.equal(llm.requests.length, 1);
    const request = llm.requests[0]!;
    assert.equal(request.headers.authorization, `Bearer ${apiKey}`);
    const sent = JSON.stringify(request.body);
    assert.match(sent, /We the People of the United States/, 'the text reached the model');
    assert.equal((request.body as { model?: string }).model, 'loopback-model');

    // The fake model answers from its input, so its gist is a sentence of the document.
    const words = (text: string) => text.split(/\s+/).filter(Boolean).join(' ');
    const gist = words(String(summary!.content.body).split('\n')[2]!);
    const prompt = words(
      JSON.parse(sent)
        .messages.map((m: { content: string }) => m.content)
        .join(' '),
    );
    assert.ok(
      gist.length > 20 && prompt.includes(gist.slice(0, 40)),
      `gist from the model: ${gist}`,
    );
  });

  it("lets the room's moderators set the model's instructions, and nobody else", async () => {
    const bob = scenario.hs.clientFor(await scenario.hs.registerUser('bob'));
    await scenario.alice.invite(scenario.roomId, bob.userId);
    await bob.join(scenario.roomId);
    const command = async (client: typeof bob, body: string) => {
      const eventId = await client.sendMessage(scenario.roomId, { msgtype: 'm.text', body });
      const reply = await scenario.hs.waitForEvent(
        (e) => e.sender === BOT_USER_ID && inReplyTo(e) === eventId,
        { timeoutMs: 10_000 },
      );
      return String(reply.content.body);
    };

    const instructions = 'Resuma em português para a equipa de triagem.';
    // The power levels are read through a rate limit: the read is retried, not dropped.
    scenario.hs.faults.add({
      method: 'GET',
      path: /m\.room\.power_levels/,
      times: 1,
      respond: { status: 429, body: { errcode: 'M_LIMIT_EXCEEDED', retry_after_ms: 100 } },
    });
    assert.match(await command(bob, `!summarizer instructions ${instructions}`), /moderators/);
    assert.match(
      await command(scenario.alice, `!summarizer instructions ${instructions}`),
      /From now on/,
    );
    assert.match(await command(bob, '!summarizer instructions'), /Resuma em português/);
    assert.match(await command(bob, '!summarizer help'), /instructions reset/);

    const eventId = await scenario.uploadCorpus('c012.pdf');
    await scenario.waitForAnswer(eventId, 60_000);
    assert.ok(JSON.stringify(llm.requests.at(-1)!.body).includes(instructions), 'used');
    assert.match(await command(scenario.alice, '!summarizer instructions reset'), /default/);
  });

  it('retries while the model fails, then answers with the built-in summary', async () => {
    const before = llm.requests.length;
    for (let i = 0; i < 4; i++) llm.faults.push({ status: 503, body: { error: 'loading' } });
    const eventId = await scenario.uploadCorpus('c004.pdf');
    const [working, summary] = await scenario.waitForAnswer(eventId, 60_000);
    assert.match(String(working!.content.body), /^Working on/);
    assert.match(String(summary!.content.body), /^Summary of "c004\.pdf" \(14 pages\)/);
    assert.match(String(summary!.content.body), /AI summarizer could not be used/);
    assert.equal(llm.requests.length - before, 4, 'one request per attempt: 1 + 3 retries');
    assert.equal(scenario.repliesTo(eventId).length, 2);
  });

  it('never writes the API key to the log', () => {
    const log = scenario.bridge.logs.join('\n');
    assert.ok(!log.includes(apiKey));
    assert.ok(!log.includes(scenario.tokens.asToken));
  });
});

describe('end to end with an older homeserver and an invite allow-list', function () {
  this.timeout(120_000);
  let scenario: Scenario;

  before(async () => {
    scenario = await Scenario.start({
      homeserver: { authenticatedMedia: false },
      config: { bot: { allowed_inviters: ['@alice:test.localhost'] } },
    });
    await scenario.roomWithBot();
  });
  after(async () => {
    await scenario?.stop();
  });

  it('declines, with a reason, an invite from a user not on the allow-list', async () => {
    const bob = scenario.hs.clientFor(await scenario.hs.registerUser('bob'));
    const roomId = await bob.createRoom({ invite: [BOT_USER_ID] });
    const leave = await scenario.hs.waitForEvent(
      (e) =>
        e.room_id === roomId &&
        e.type === 'm.room.member' &&
        e.state_key === BOT_USER_ID &&
        e.content.membership === 'leave',
      { timeoutMs: 15_000 },
    );
    assert.match(String(leave.content.reason), /only accepts invites/);
  });

  it('downloads from the legacy media endpoint when the server lacks the new one', async () => {
    const eventId = await scenario.uploadCorpus('c001.pdf');
    const [, summary] = await scenario.waitForAnswer(eventId);
    assert.match(String(summary!.content.body), /^Summary of/);
    const media = scenario.hs.requests.filter((r) => r.path.includes('/download/'));
    assert.deepEqual(
      media.map((r) => [r.path.split('/download/')[0], r.status]),
      [
        ['/_matrix/client/v1/media', 404],
        ['/_matrix/media/v3', 200],
      ],
    );
  });
});

describe('end to end with a second analysis by another model', function () {
  this.timeout(120_000);
  let llm: FakeLlmServer;
  let scenario: Scenario;

  before(async () => {
    llm = new FakeLlmServer({ model: 'first-model' });
    const url = await llm.start();
    scenario = await Scenario.start({
      config: {
        summarizer: {
          backend: 'openai',
          openai: { base_url: url, model: 'first-model' },
          analyses: [{ name: 'Second opinion', model: 'second-model' }],
        },
      },
    });
    await scenario.roomWithBot();
  });
  after(async () => {
    await scenario?.stop();
    await llm?.stop();
  });

  it('posts each analysis as its own reply, after the summary', async () => {
    const eventId = await scenario.uploadCorpus('c040.pdf');
    await scenario.hs.waitForEvent(
      (e) => e.sender === BOT_USER_ID && /^Second opinion on/.test(String(e.content.body)),
      { timeoutMs: 30_000 },
    );
    const replies = scenario.repliesTo(eventId).map((e) => String(e.content.body));
    assert.equal(replies.length, 3);
    assert.match(replies[0]!, /^Working on "c040\.pdf"/);
    assert.match(replies[1]!, /^Summary of "c040\.pdf" \(2 pages\)/);
    assert.match(replies[2]!, /^Second opinion on "c040\.pdf" \(second-model\)/);
    const models = llm.requests.map((r) => (r.body as { model: string }).model).sort();
    assert.deepEqual(models, ['first-model', 'second-model']);
  });
});
