import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import Database from 'better-sqlite3';

import { seededRandom, testSeed } from './support/random.js';
import { QUICK_TEXT_PDFS } from './support/paths.js';
import { BOT_USER_ID, Scenario, inReplyTo } from './support/scenario.js';

const TEXT_PDFS = QUICK_TEXT_PDFS;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** For each upload, the bot's "working" replies and its final replies. */
function countAnswers(scenario: Scenario, eventIds: string[]) {
  const counts = new Map(eventIds.map((id) => [id, { working: 0, final: 0 }]));
  for (const event of scenario.hs.timeline(scenario.roomId)) {
    if (event.sender !== BOT_USER_ID || event.type !== 'm.room.message') continue;
    const count = counts.get(inReplyTo(event) ?? '');
    if (!count) continue;
    if (String(event.content.body).startsWith('Working on')) count.working++;
    else count.final++;
  }
  return counts;
}

async function waitForAllAnswers(scenario: Scenario, eventIds: string[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const missing = [...countAnswers(scenario, eventIds)].filter(([, c]) => c.final === 0);
    if (missing.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`${missing.length} uploads unanswered:\n${scenario.bridge.tail(40)}`);
    }
    await sleep(100);
  }
}

describe('crash safety', function () {
  this.timeout(120_000);
  let scenario: Scenario | undefined;

  afterEach(async () => {
    await scenario?.stop();
    scenario = undefined;
  });

  const seed = testSeed(20261204);
  it(`answers every upload exactly once through repeated SIGKILLs (seed ${seed})`, async () => {
    const random = seededRandom(seed);
    scenario = await Scenario.start({
      fixedPort: true,
      config: {
        jobs: { max_retries: 12, lease_seconds: 2, poll_seconds: 0.3 },
        // One person uploads all 24 at once here; the fair-use caps are not under test.
        limits: { max_queued_per_user: 100, max_queued_per_room: 100 },
      },
    });
    await scenario.roomWithBot();
    // The homeserver stores each reply at once but answers late, so kills land between a
    // reply being accepted and the bridge learning it was: the resend must not duplicate it.
    scenario.hs.faults.add({
      method: 'PUT',
      path: /\/send\/m\.room\.message\//,
      times: Infinity,
      respond: { delayAnswerMs: 250 },
    });

    const eventIds: string[] = [];
    const half = TEXT_PDFS.length / 2;
    for (const file of TEXT_PDFS.slice(0, half)) eventIds.push(await scenario.uploadCorpus(file));

    const kills = 6;
    for (let kill = 0; kill < kills; kill++) {
      await sleep(150 + Math.floor(random() * 1200));
      await scenario.bridge.kill();
      // Some uploads arrive while the bridge is down; the homeserver holds them.
      if (kill < 3) {
        for (const file of TEXT_PDFS.slice(half + kill * 4, half + kill * 4 + 4)) {
          eventIds.push(await scenario.uploadCorpus(file));
        }
      }
      await sleep(Math.floor(random() * 300));
      await scenario.restartBridge();
    }
    assert.equal(eventIds.length, TEXT_PDFS.length);

    await waitForAllAnswers(scenario, eventIds, 90_000);
    await scenario.hs.waitForTransactionsDelivered({ timeoutMs: 10_000 });
    await sleep(1000); // time for any duplicate to show up
    const counts = countAnswers(scenario, eventIds);
    for (const [eventId, count] of counts) {
      assert.deepEqual(count, { working: 1, final: 1 }, `answers to ${eventId}`);
    }
    assert.deepEqual(readdirSync(path.join(scenario.dir, 'downloads')), [], 'no file left');
    const botMessages = scenario.hs
      .timeline(scenario.roomId)
      .filter((e) => e.sender === BOT_USER_ID && e.type === 'm.room.message');
    assert.equal(botMessages.length, 2 * eventIds.length, 'no other bot messages');
    const restarts = scenario.allLogs().filter((line) => line.includes('resuming jobs'));
    assert.ok(restarts.length > 0, 'at least one restart found work to resume');

    // Sends the homeserver saw more than once under the same transaction id: each is a reply
    // the bridge sent again after a kill, which the homeserver recognised.
    const sends = new Map<string, number>();
    for (const request of scenario.hs.requests) {
      if (request.method === 'PUT' && request.path.includes('/send/m.room.message/')) {
        sends.set(request.path, (sends.get(request.path) ?? 0) + 1);
      }
    }
    const resent = [...sends.values()].filter((n) => n > 1).length;
    console.log(
      `      ${eventIds.length} uploads, ${kills} kills, ${restarts.length} restarts resumed ` +
        `work, ${botMessages.length} replies, ${resent} replies resent and deduplicated, ` +
        `0 duplicates`,
    );
  });

  it('finishes running jobs on SIGTERM and leaves the rest for the next start', async () => {
    scenario = await Scenario.start({
      fixedPort: true,
      config: { jobs: { max_worker_threads: 2 } },
    });
    await scenario.roomWithBot();
    const files = ['c005.pdf', 'c003.pdf', 'c010.pdf', 'c019.pdf', 'c017.pdf', 'c004.pdf'];
    const eventIds: string[] = [];
    for (const file of files) eventIds.push(await scenario.uploadCorpus(file));
    await scenario.bridge.waitForLog(/stage started .*stage=extract/);

    const exitCode = await scenario.bridge.stop();
    assert.equal(exitCode, 0, 'clean exit');
    const stopped = scenario.bridge.logs.join('\n');
    assert.match(stopped, /shutting down running_jobs=[12]/);
    assert.match(stopped, /stopped/);

    const dbFile = path.join(scenario.dir, 'jobs.sqlite');
    const wal = `${dbFile}-wal`;
    assert.ok(!existsSync(wal) || statSync(wal).size === 0, 'WAL checkpointed at close');
    const db = new Database(dbFile, { readonly: true });
    const statuses = db.prepare('SELECT status, count(*) AS n FROM jobs GROUP BY status').all();
    db.close();
    assert.ok(
      !statuses.some((row) => (row as { status: string }).status === 'processing'),
      `no job left claimed: ${JSON.stringify(statuses)}`,
    );
    const doneBeforeRestart = [...countAnswers(scenario, eventIds).values()].filter((c) => c.final);
    assert.ok(doneBeforeRestart.length >= 1, 'the running jobs finished within the grace period');

    await scenario.restartBridge();
    await waitForAllAnswers(scenario, eventIds, 60_000);
    await sleep(500);
    for (const [eventId, count] of countAnswers(scenario, eventIds)) {
      assert.deepEqual(count, { working: 1, final: 1 }, `answers to ${eventId}`);
    }
  });

  it('makes no second job for a replayed event after a restart, and sweeps leftovers', async () => {
    scenario = await Scenario.start({ fixedPort: true });
    await scenario.roomWithBot();
    const eventId = await scenario.uploadCorpus('c001.pdf');
    await waitForAllAnswers(scenario, [eventId], 30_000);
    await scenario.bridge.kill();
    const leftover = path.join(scenario.dir, 'downloads', 'job-99.pdf.part');
    writeFileSync(leftover, 'half a download');
    await scenario.restartBridge();
    await scenario.bridge.waitForLog(/removed files left by an earlier run files=1/);
    assert.ok(!existsSync(leftover), 'the leftover download was swept at start-up');

    const event = scenario.hs.timeline(scenario.roomId).find((e) => e.event_id === eventId)!;
    const txnId = scenario.hs.transactions.find((t) =>
      t.events.some((e) => e.event_id === eventId),
    )!.txnId;
    for (const id of [txnId, 'fresh-txn']) {
      assert.equal((await scenario.hs.pushRawTransaction(id, { events: [event] })).status, 200);
    }
    await sleep(800);
    const db = new Database(path.join(scenario.dir, 'jobs.sqlite'), { readonly: true });
    const { n } = db.prepare('SELECT count(*) AS n FROM jobs').get() as { n: number };
    db.close();
    assert.equal(n, 1);
    assert.deepEqual(countAnswers(scenario, [eventId]).get(eventId), { working: 1, final: 1 });
  });
});
