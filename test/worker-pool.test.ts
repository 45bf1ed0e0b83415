import assert from 'node:assert/strict';

import { JobError } from '../src/errors.js';
import { configureLogging } from '../src/log.js';
import type { ExtractLimits } from '../src/pdf/types.js';
import { splitIntoChunks } from '../src/summarize/chunk.js';
import { chunkBounds, chunksOf, measureText } from '../src/summarize/scan.js';
import { WorkerPool } from '../src/worker/pool.js';
import { corpusFile } from './support/paths.js';

const LIMITS: ExtractLimits = { maxPages: 5000, maxChars: 1_000_000 };

/** Polls a condition every 10 ms; for states the pool reaches on its own (a thread respawning). */
async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => assert.fail('expected the task to reject, but it resolved'),
    (reason: unknown) => reason,
  );
}

function assertJobError(error: unknown, code: string, message?: RegExp): void {
  assert.ok(error instanceof JobError, `expected a JobError, got ${String(error)}`);
  assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
  if (message) assert.match(error.message, message);
}

describe('WorkerPool', function () {
  this.timeout(20_000);
  const logLines: string[] = [];

  before(() => configureLogging({ write: (line) => logLines.push(line) }));
  after(() => configureLogging({ write: () => undefined }));

  describe('with three threads', () => {
    let pool: WorkerPool;

    before(async () => {
      pool = new WorkerPool({ size: 3, memoryLimitMb: 512, taskTimeoutMs: 30_000 });
      await pool.start();
    });
    after(() => pool.close());

    it('starts with every thread loaded and idle', () => {
      assert.deepEqual(pool.stats(), {
        size: 3,
        busy: 0,
        idle: 3,
        starting: 0,
        queued: 0,
        replaced: 0,
        tasksDone: 0,
      });
    });

    it('runs three extractions at the same time on three threads', async () => {
      const names = ['c004.pdf', 'c013.pdf', 'c014.pdf'];
      const running = names.map((name) =>
        pool.run({ kind: 'extract', path: corpusFile(name), limits: LIMITS }),
      );
      const reports = await Promise.all(running);

      assert.equal(new Set(reports.map((report) => report.threadId)).size, 3);
      const lastStart = Math.max(...reports.map((report) => report.startedAt));
      const firstEnd = Math.min(...reports.map((report) => report.finishedAt));
      assert.ok(lastStart < firstEnd, `no overlap: last start ${lastStart}, first end ${firstEnd}`);
      assert.deepEqual(
        reports.map((report) => report.value.pagesRead),
        [14, 34, 19],
      );
    });

    it('reuses the same threads for later tasks', async () => {
      const batch = () =>
        Promise.all(
          [1, 2, 3].map(() =>
            pool.run({ kind: 'extract', path: corpusFile('c001.pdf'), limits: LIMITS }),
          ),
        );
      const first = new Set((await batch()).map((report) => report.threadId));
      const second = new Set((await batch()).map((report) => report.threadId));

      assert.equal(first.size, 3);
      assert.deepEqual([...second].sort(), [...first].sort());
      assert.equal(pool.stats().replaced, 0);
    });

    it('passes a JobError from the thread back and keeps the thread', async () => {
      assertJobError(await rejection(pool.extract(corpusFile('c055.pdf'), LIMITS)), 'empty_file');
      const locked = await rejection(pool.extract(corpusFile('c036.pdf'), LIMITS));
      assertJobError(locked, 'password_protected');
      assert.match((locked as JobError).userMessage, /password-protected/);
      assert.equal(pool.stats().replaced, 0);
      assert.equal(pool.stats().idle, 3);
    });

    it('runs the extractive summarizer in a thread', async () => {
      const text =
        'Worker threads keep PDF parsing off the main thread. ' +
        'The pool reuses its threads so pdf.js is loaded only once. ' +
        'A thread that runs too long is terminated and replaced.';
      const summary = await pool.summarize(text, { maxKeyPoints: 2 });
      assert.ok(summary.gist.length > 0);
      assert.ok(Array.isArray(summary.keyPoints));
    });

    it('measures and cuts a long text in a thread as the calling thread would', async () => {
      // c005: 352 pages of English, about 1.2 million characters once extracted.
      const { text } = await pool.extract(corpusFile('c005.pdf'), LIMITS);
      const options = { targetTokens: 3000, maxTokens: 3750 };
      const [measured, bounds] = await Promise.all([pool.measure(text), pool.split(text, options)]);

      assert.deepEqual(measured, measureText(text));
      assert.equal(measured.language?.code, 'en');
      assert.deepEqual(bounds, chunkBounds(text, options));
      assert.ok(bounds.length >= 50, `expected dozens of parts, got ${bounds.length}`);
      assert.deepEqual(chunksOf(text, bounds), splitIntoChunks(text, options));
      assert.equal(bounds[0]?.start, 0);
      assert.equal(bounds.at(-1)?.end, text.length);
      bounds.slice(1).forEach((bound, i) => assert.equal(bound.start, bounds[i]?.end));
    });

    it('fails an overlong task with timed_out, replaces its thread and goes on', async () => {
      const replacedBefore = pool.stats().replaced;
      const task = pool.extract(corpusFile('c006.pdf'), LIMITS, { timeoutMs: 50 });
      assertJobError(await rejection(task), 'timed_out', /after 50 ms; the limit is 50 ms/);

      await until(() => pool.stats().idle === 3, 'three idle threads again');
      assert.equal(pool.stats().size, 3);
      assert.equal(pool.stats().replaced, replacedBefore + 1);
      assert.ok(logLines.some((line) => /replacing worker thread.*reason=timed_out/.test(line)));

      const next = await pool.extract(corpusFile('c001.pdf'), LIMITS);
      assert.equal(next.pagesRead, 1);
    });

    it('drops a queued task when its signal aborts, without running it', async () => {
      const busy = ['c004.pdf', 'c013.pdf', 'c014.pdf'].map((name) =>
        pool.extract(corpusFile(name), LIMITS),
      );
      const controller = new AbortController();
      const queued = pool.extract(corpusFile('c001.pdf'), LIMITS, { signal: controller.signal });
      assert.equal(pool.stats().queued, 1);

      controller.abort();
      const error = await rejection(queued);
      assert.equal((error as Error).name, 'AbortError');
      assert.equal(pool.stats().queued, 0);
      await Promise.all(busy);
      assert.equal(pool.stats().busy, 0);
    });

    it('terminates and replaces the thread of a running task whose signal aborts', async () => {
      const replacedBefore = pool.stats().replaced;
      const controller = new AbortController();
      const task = pool.extract(corpusFile('c006.pdf'), LIMITS, { signal: controller.signal });
      await until(() => pool.stats().busy === 1, 'the task to start');

      controller.abort();
      assert.equal(((await rejection(task)) as Error).name, 'AbortError');
      await until(() => pool.stats().idle === 3, 'three idle threads again');
      assert.equal(pool.stats().replaced, replacedBefore + 1);
    });
  });

  describe('with a heap limit too small for the document', () => {
    let pool: WorkerPool;

    before(async () => {
      pool = new WorkerPool({ size: 1, memoryLimitMb: 16, taskTimeoutMs: 20_000 });
      await pool.start();
    });
    after(() => pool.close());

    it('fails the task with too_large, replaces the thread and reads the next file', async () => {
      const task = pool.extract(corpusFile('c006.pdf'), LIMITS);
      assertJobError(await rejection(task), 'too_large', /ran out of memory.*limit is 16 MB/);

      const next = await pool.extract(corpusFile('c001.pdf'), LIMITS);
      assert.equal(next.pagesRead, 1);
      assert.equal(pool.stats().size, 1);
      assert.equal(pool.stats().replaced, 1);
      assert.ok(logLines.some((line) => /replacing worker thread.*reason=too_large/.test(line)));
    });
  });

  describe('with a thread that crashes on every task', () => {
    // A stand-in thread entry: it reports ready like the real one, then throws on any task.
    const crashing = new URL(
      'data:text/javascript,' +
        encodeURIComponent(
          "import { parentPort, threadId } from 'node:worker_threads';" +
            "parentPort.postMessage({ type: 'ready', threadId });" +
            "parentPort.on('message', () => { throw new Error('thread fell over'); });",
        ),
    );
    let pool: WorkerPool;

    before(async () => {
      pool = new WorkerPool({ size: 1, workerUrl: crashing });
      await pool.start();
    });
    after(() => pool.close());

    it('fails the task with internal and replaces the thread', async () => {
      const error = await rejection(pool.extract(corpusFile('c001.pdf'), LIMITS));
      assertJobError(error, 'internal', /crashed: Error: thread fell over/);
      await until(() => pool.stats().idle === 1, 'a replacement thread');
      assert.equal(pool.stats().replaced, 1);
    });
  });

  describe('close()', () => {
    it('rejects the running and the queued task, then refuses new ones', async () => {
      const pool = new WorkerPool({ size: 1, memoryLimitMb: 512, taskTimeoutMs: 20_000 });
      await pool.start();
      const running = pool.extract(corpusFile('c006.pdf'), LIMITS);
      const queued = pool.extract(corpusFile('c001.pdf'), LIMITS);
      const failures = [rejection(running), rejection(queued)];
      await until(() => pool.stats().busy === 1, 'the first task to start');

      await pool.close();
      for (const failure of await Promise.all(failures)) {
        assertJobError(failure, 'internal', /pool closed before the task finished/);
      }
      assertJobError(await rejection(pool.extract(corpusFile('c001.pdf'), LIMITS)), 'internal');
      assert.equal(pool.stats().size, 0);
    });
  });
});
