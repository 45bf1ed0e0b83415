import assert from 'node:assert/strict';
import path from 'node:path';

import { openDatabase, type OpenDatabase } from '../src/db/client.js';
import { JobError } from '../src/errors.js';
import { JobStore, type Job, type NewJob } from '../src/queue/jobs.js';
import type { SummaryResult } from '../src/queue/result.js';
import { JobRunner, type RunnerDeps } from '../src/queue/runner.js';
import { tempDir } from './support/tmp.js';

const upload = (eventId: string): NewJob => ({
  eventId,
  roomId: '!room:test',
  sender: '@alice:test',
  threadRoot: null,
  fileName: 'a.pdf',
  mxcUrl: 'mxc://test/a',
  mimetype: 'application/pdf',
  declaredSize: null,
});

const summary: SummaryResult = {
  kind: 'summary',
  pageCount: 1,
  pagesRead: 1,
  failedPages: 0,
  truncated: false,
  garbled: false,
  analyses: [],
  gist: 'Gist.',
  keyPoints: [],
  formFields: [],
  producer: 'test',
  fellBack: false,
};

/** Resolves when `check` holds, polling briefly; the runner works on real timers. */
async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('job runner', () => {
  let tmp: ReturnType<typeof tempDir>;
  let database: OpenDatabase;
  let jobs: JobStore;
  let runner: JobRunner | undefined;
  let delivered: number[];

  beforeEach(() => {
    tmp = tempDir();
    database = openDatabase(path.join(tmp.dir, 'jobs.sqlite'));
    jobs = new JobStore(database.db);
    delivered = [];
  });
  afterEach(async () => {
    await runner?.stop(0);
    runner = undefined;
    database.close();
    tmp.cleanup();
  });

  function start(work: RunnerDeps['work'], options: { jobTimeoutMs?: number } = {}) {
    runner = new JobRunner(
      {
        jobs,
        work,
        acknowledge: async () => true,
        deliver: async (job: Job) => {
          delivered.push(job.id);
          return true;
        },
      },
      {
        concurrency: 2,
        maxAttempts: 3,
        leaseMs: 5_000,
        pollMs: 50,
        retryDelayMs: 10,
        cleanupAfterMs: 3_600_000,
        jobTimeoutMs: options.jobTimeoutMs ?? 5_000,
      },
    );
    runner.start();
    runner.wake();
    return runner;
  }

  it('retries a transient fault and completes the job', async () => {
    const { job } = jobs.enqueue(upload('$a'), Date.now());
    let calls = 0;
    start(async () => {
      calls++;
      if (calls < 3) throw new JobError('media_unavailable', 'HTTP 502');
      return summary;
    });
    await until(() => delivered.includes(job.id));
    const done = jobs.get(job.id)!;
    assert.equal(done.status, 'completed');
    assert.equal(done.attempts, 3);
    assert.equal(calls, 3);
  });

  it('fails after the last attempt, telling how often it tried', async () => {
    const { job } = jobs.enqueue(upload('$a'), Date.now());
    start(async () => {
      throw new JobError('summarizer_unavailable', 'HTTP 503');
    });
    await until(() => delivered.includes(job.id));
    const done = jobs.get(job.id)!;
    assert.equal(done.status, 'failed');
    assert.deepEqual(done.result, {
      kind: 'failure',
      code: 'summarizer_unavailable',
      message:
        'The summarizer is unavailable right now. I tried 3 times; please upload it again later.',
    });
    assert.match(done.lastError ?? '', /HTTP 503/);
  });

  it('does not retry a permanent fault', async () => {
    const { job } = jobs.enqueue(upload('$a'), Date.now());
    let calls = 0;
    start(async () => {
      calls++;
      throw new JobError('password_protected', 'PasswordException code 1');
    });
    await until(() => delivered.includes(job.id));
    assert.equal(calls, 1);
    assert.equal(jobs.get(job.id)?.status, 'failed');
  });

  it('never lets an unknown error reach the room', async () => {
    const { job } = jobs.enqueue(upload('$a'), Date.now());
    start(async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'x')");
    });
    await until(() => delivered.includes(job.id));
    const result = jobs.get(job.id)!.result!;
    assert.equal(result.kind, 'failure');
    assert.doesNotMatch(JSON.stringify(result), /TypeError|undefined|reading/);
  });

  it('fails a job whose earlier attempts all died with the process, without running it', async () => {
    const { job } = jobs.enqueue(upload('$a'), Date.now());
    for (let i = 0; i < 3; i++) {
      jobs.claim(Date.now(), 5_000);
      jobs.releaseAll(Date.now());
    }
    let calls = 0;
    start(async () => {
      calls++;
      return summary;
    });
    await until(() => delivered.includes(job.id));
    assert.equal(calls, 0);
    const done = jobs.get(job.id)!;
    assert.equal(done.status, 'failed');
    assert.match(JSON.stringify(done.result), /kept getting interrupted/);
  });

  it('stops a job at its deadline and says it took too long', async () => {
    const { job } = jobs.enqueue(upload('$a'), Date.now());
    start(
      (_job, context) =>
        new Promise((_resolve, reject) => {
          context.signal.addEventListener('abort', () => reject(new Error('aborted')));
        }),
      { jobTimeoutMs: 100 },
    );
    await until(() => delivered.includes(job.id));
    const done = jobs.get(job.id)!;
    assert.equal(done.status, 'failed');
    assert.equal((done.result as { code: string }).code, 'timed_out');
  });

  it('gives running jobs back without spending an attempt when stopped', async () => {
    const { job } = jobs.enqueue(upload('$a'), Date.now());
    let started = false;
    const active = start(
      (_job, context) =>
        new Promise((_resolve, reject) => {
          started = true;
          context.signal.addEventListener('abort', () => reject(new Error('aborted')));
        }),
    );
    await until(() => started);
    await active.stop(10);
    runner = undefined;
    const row = jobs.get(job.id)!;
    assert.equal(row.status, 'pending');
    assert.equal(row.attempts, 0);
  });

  it('works on no more jobs at once than its concurrency', async () => {
    for (let i = 0; i < 6; i++) jobs.enqueue(upload(`$${i}`), Date.now());
    let running = 0;
    let most = 0;
    start(async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 30));
      running--;
      return summary;
    });
    await until(() => delivered.length === 6);
    assert.equal(most, 2);
  });
});
