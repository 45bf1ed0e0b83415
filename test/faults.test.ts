import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import type { Fault } from './support/homeserver/index.js';
import { FakeLlmServer } from './support/llm-server.js';
import { corpusFile } from './support/paths.js';
import { BOT_USER_ID, Scenario, inReplyTo } from './support/scenario.js';

/** The bot's sends: its transaction ids start with "pdfsum.", the uploader's do not. */
const SEND = /\/send\/m\.room\.message\/pdfsum\./;
const DOWNLOAD = /\/media\/download\//;

describe('fault tolerance', function () {
  this.timeout(120_000);
  let llm: FakeLlmServer;
  let scenario: Scenario;

  before(async () => {
    llm = new FakeLlmServer({ model: 'loopback-model' });
    const url = await llm.start();
    scenario = await Scenario.start({
      config: {
        jobs: { max_retries: 3, retry_delay_seconds: 0.2 },
        summarizer: {
          backend: 'openai',
          fallback_to_builtin: false,
          openai: {
            base_url: url,
            model: 'loopback-model',
            max_attempts: 2,
            request_timeout_seconds: 1,
            max_retry_after_seconds: 2,
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

  function botReplies(eventId: string) {
    return scenario.hs
      .timeline(scenario.roomId)
      .filter((e) => e.sender === BOT_USER_ID && inReplyTo(e) === eventId);
  }

  it('answers exactly once through transient homeserver and model faults', async () => {
    const faults: Fault[] = [
      scenario.hs.faults.add({
        method: 'PUT',
        path: SEND,
        times: 2,
        respond: { status: 429, body: { errcode: 'M_LIMIT_EXCEEDED', retry_after_ms: 150 } },
      }),
      scenario.hs.faults.add({
        method: 'PUT',
        path: SEND,
        times: 2,
        respond: { status: 500, body: { errcode: 'M_UNKNOWN', error: 'boom' } },
      }),
      scenario.hs.faults.add({ method: 'PUT', path: SEND, times: 1, respond: 'drop' }),
      // Stored by the homeserver, but the answer never arrives: the resend must not duplicate.
      scenario.hs.faults.add({ method: 'PUT', path: SEND, times: 2, respond: 'drop-answer' }),
      scenario.hs.faults.add({ method: 'GET', path: DOWNLOAD, times: 1, respond: 'drop' }),
      scenario.hs.faults.add({
        method: 'GET',
        path: DOWNLOAD,
        times: 2,
        respond: { truncateAfterBytes: 1000 },
      }),
      scenario.hs.faults.add({
        method: 'GET',
        path: DOWNLOAD,
        times: 1,
        respond: { status: 502, body: 'Bad gateway' },
      }),
    ];
    llm.faults.push(
      { status: 429, headers: { 'retry-after': '1' }, body: { error: { message: 'slow down' } } },
      { status: 500, body: { error: { message: 'internal' } } },
      'hang',
    );

    const files = ['c001.pdf', 'c004.pdf', 'c012.pdf', 'c014.pdf', 'c040.pdf', 'c066.pdf'];
    const eventIds: string[] = [];
    for (const file of files) eventIds.push(await scenario.uploadCorpus(file));
    for (const eventId of eventIds) await scenario.waitForAnswer(eventId, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));

    for (const [index, eventId] of eventIds.entries()) {
      const replies = botReplies(eventId);
      assert.equal(replies.length, 2, `${files[index]}: one working reply and one answer`);
      assert.match(String(replies[0]!.content.body), /^Working on/);
      assert.match(String(replies[1]!.content.body), /^Summary of/);
    }
    for (const fault of faults) {
      assert.equal(fault.remaining, 0, `fault used up: ${JSON.stringify(fault.spec.respond)}`);
    }
    assert.equal(llm.faults.length, 0, 'model faults used up');
    const injected = faults.reduce((n, f) => n + f.hits, 0) + 3;
    console.log(`      ${eventIds.length} uploads, ${injected} faults injected, 0 duplicates`);
  });

  it('fails with a clear reply when the media stays unavailable', async () => {
    const bytes = new Uint8Array(readFileSync(corpusFile('c014.pdf')));
    const mxc = await scenario.alice.upload(bytes, {
      fileName: 'c014.pdf',
      contentType: 'application/pdf',
    });
    const mediaId = mxc.split('/').pop()!;
    const fault = scenario.hs.faults.add({
      method: 'GET',
      path: new RegExp(`/download/.*${mediaId}`),
      times: Infinity,
      respond: { status: 503, body: { errcode: 'M_UNKNOWN', error: 'down' } },
    });
    const eventId = await scenario.alice.sendMessage(scenario.roomId, {
      msgtype: 'm.file',
      body: 'c014.pdf',
      url: mxc,
      info: { mimetype: 'application/pdf', size: bytes.length },
    });
    const [, answer] = await scenario.waitForAnswer(eventId, 60_000);
    assert.equal(
      answer!.content.body,
      'Sorry, I could not summarize "c014.pdf". I could not download this file from the ' +
        'homeserver. I tried 4 times; please upload it again later.',
    );
    assert.equal(fault.hits, 4, 'one download per attempt');
    fault.remaining = 0;
  });

  it('fails with a clear reply when the model stays unavailable', async () => {
    for (let i = 0; i < 8; i++) llm.faults.push({ status: 503, body: { error: 'loading' } });
    // A file not uploaded before: an earlier upload's stored summary would be reused.
    const eventId = await scenario.uploadCorpus('c042.pdf');
    const [, answer] = await scenario.waitForAnswer(eventId, 60_000);
    assert.equal(
      answer!.content.body,
      'Sorry, I could not summarize "c042.pdf". The summarizer is unavailable right now. ' +
        'I tried 4 times; please upload it again later.',
    );
    assert.equal(llm.faults.length, 0, 'two requests in each of four attempts');
    assert.equal(botReplies(eventId).length, 2);
  });
});
