import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

import { openDatabase, type OpenDatabase } from '../src/db/client.js';
import { fairUseRefusal, type FairUseLimits } from '../src/queue/fair-use.js';
import { JobStore, type NewJob } from '../src/queue/jobs.js';
import type { JobResult } from '../src/queue/result.js';
import { tempDir } from './support/tmp.js';

function upload(eventId: string): NewJob {
  return {
    eventId,
    roomId: '!room:test',
    sender: '@alice:test',
    threadRoot: null,
    fileName: 'report.pdf',
    mxcUrl: 'mxc://test/abc',
    mimetype: 'application/pdf',
    declaredSize: 1234,
  };
}

/** Caps far above what the tests queue, so that every count is exact. */
const CAPS: FairUseLimits = {
  queuedPerSender: 100,
  queuedPerRoom: 100,
  perSenderPerHour: 100,
  perRoomPerHour: 100,
};

const summary: JobResult = {
  kind: 'summary',
  pageCount: 3,
  pagesRead: 3,
  formFields: [],
  failedPages: 0,
  truncated: false,
  garbled: false,
  analyses: [],
  gist: 'A gist.',
  keyPoints: ['One.', 'Two.'],
  producer: 'built-in',
  fellBack: false,
};

describe('job queue', () => {
  let tmp: ReturnType<typeof tempDir>;
  let file: string;
  let database: OpenDatabase;
  let jobs: JobStore;

  beforeEach(() => {
    tmp = tempDir();
    file = path.join(tmp.dir, 'jobs.sqlite');
    database = openDatabase(file);
    jobs = new JobStore(database.db);
  });
  afterEach(() => {
    database.close();
    tmp.cleanup();
  });

  it('uses WAL mode with a busy timeout', () => {
    assert.equal(database.sqlite.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(database.sqlite.pragma('busy_timeout', { simple: true }), 5000);
  });

  it('moves a job from pending to processing to completed', () => {
    const { job, created } = jobs.enqueue(upload('$a'), 1000);
    assert.ok(created);
    assert.equal(job.status, 'pending');

    const claimed = jobs.claim(1000, 60_000);
    assert.equal(claimed?.id, job.id);
    assert.equal(claimed?.status, 'processing');
    assert.equal(claimed?.attempts, 1);
    assert.equal(claimed?.leaseUntil, 61_000);
    assert.equal(jobs.claim(1000, 60_000), undefined, 'nothing else is due');

    assert.ok(jobs.finish(claimed!, summary, null, 2000));
    const done = jobs.get(job.id)!;
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.result, summary);
    assert.deepEqual(
      jobs.undelivered(10).map((j) => j.id),
      [job.id],
    );
    jobs.markDelivered(job.id, 3000);
    assert.deepEqual(jobs.undelivered(10), []);
  });

  it('stores a failure as failed with its message', () => {
    jobs.enqueue(upload('$a'), 0);
    const claimed = jobs.claim(0, 1000)!;
    const failure: JobResult = { kind: 'failure', code: 'not_pdf', message: 'Not a PDF.' };
    jobs.finish(claimed, failure, 'not_pdf: html', 10);
    const row = jobs.get(claimed.id)!;
    assert.equal(row.status, 'failed');
    assert.deepEqual(row.result, failure);
    assert.equal(row.lastError, 'not_pdf: html');
  });

  it('makes one job per event, however often the event arrives', () => {
    const first = jobs.enqueue(upload('$same'), 0);
    const again = jobs.enqueue(upload('$same'), 5);
    assert.ok(first.created);
    assert.equal(again.created, false);
    assert.equal(again.job.id, first.job.id);
    assert.equal(jobs.countByStatus().pending, 1);
  });

  it('keeps its jobs when the database file is closed and opened again', () => {
    jobs.enqueue(upload('$a'), 0);
    jobs.enqueue(upload('$b'), 0);
    jobs.claim(0, 1000);
    database.close();

    database = openDatabase(file);
    jobs = new JobStore(database.db);
    assert.deepEqual(jobs.countByStatus(), {
      pending: 1,
      processing: 1,
      completed: 0,
      failed: 0,
      refused: 0,
    });
    assert.equal(jobs.enqueue(upload('$a'), 0).created, false, 'the event is still known');
  });

  it('returns a job whose claim lapsed to pending, keeping its attempt count', () => {
    jobs.enqueue(upload('$a'), 0);
    const first = jobs.claim(0, 1000)!;
    assert.equal(jobs.releaseExpired(500), 0, 'the claim is still alive');
    assert.equal(jobs.releaseExpired(1001), 1);

    const second = jobs.claim(1001, 1000)!;
    assert.equal(second.id, first.id);
    assert.equal(second.attempts, 2);
    assert.equal(jobs.finish(first, summary, null, 1002), false, 'the old claim cannot finish');
    assert.equal(jobs.renewLease(first, 1002, 1000), false, 'nor renew');
    assert.ok(jobs.finish(second, summary, null, 1003));
  });

  it('does not claim a rescheduled job before its time', () => {
    jobs.enqueue(upload('$a'), 0);
    const claimed = jobs.claim(0, 1000)!;
    assert.ok(jobs.reschedule(claimed, 5000, 'media_unavailable: 502', 10));
    assert.equal(jobs.claim(4999, 1000), undefined);
    assert.equal(jobs.nextDueAt(), 5000);
    assert.equal(jobs.claim(5000, 1000)?.attempts, 2);
  });

  it('gives a job back without counting the attempt when it is released', () => {
    jobs.enqueue(upload('$a'), 0);
    const claimed = jobs.claim(0, 1000)!;
    assert.ok(jobs.release(claimed, 10));
    assert.equal(jobs.get(claimed.id)?.status, 'pending');
    assert.equal(jobs.claim(10, 1000)?.attempts, 1);
  });

  it('claims next for the sender served least lately', () => {
    const from = (eventId: string, sender: string) => ({ ...upload(eventId), sender });
    for (let i = 0; i < 4; i++) jobs.enqueue(from(`$flood${i}`, '@flood:test'), i);
    const first = jobs.claim(100, 1000)!;
    assert.equal(first.eventId, '$flood0');
    jobs.finish(first, summary, null, 150);
    jobs.enqueue(from('$other', '@other:test'), 200);
    assert.equal(jobs.claim(300, 1000)?.eventId, '$other', 'not starved by the earlier flood');
    assert.equal(jobs.claim(300, 1000)?.eventId, '$flood1');
  });

  it('counts queued and recent uploads per sender and room, and stores refusals', () => {
    jobs.enqueue(upload('$a'), 1000);
    jobs.enqueue({ ...upload('$b'), roomId: '!other:test' }, 5000);
    const refusal: JobResult = { kind: 'failure', code: 'rate_limited', message: 'Later.' };
    const refused = jobs.refuse(upload('$c'), refusal, 6000);
    assert.equal(refused.job.status, 'refused');
    assert.equal(refused.job.ackedAt, 6000, 'no "working on it" owed');
    assert.deepEqual(
      jobs.undelivered(10).map((j) => j.eventId),
      ['$c'],
    );
    assert.deepEqual(jobs.usage('@alice:test', '!room:test', 2000, CAPS), {
      senderQueued: 2,
      senderRecent: 1,
      roomQueued: 1,
      roomRecent: 0,
    });
  });

  it('stops each fair-use count one past its cap, and says "more than" the cap', () => {
    const refusal: JobResult = { kind: 'failure', code: 'rate_limited', message: 'Later.' };
    for (let i = 0; i < 9; i++) jobs.enqueue(upload(`$queued${i}`), 1000 + i);
    for (let i = 0; i < 50; i++) jobs.refuse(upload(`$refused${i}`), refusal, 2000 + i);
    const caps = { queuedPerSender: 3, queuedPerRoom: 4, perSenderPerHour: 5, perRoomPerHour: 9 };

    const usage = jobs.usage('@alice:test', '!room:test', 0, caps);

    assert.deepEqual(usage, { senderQueued: 4, senderRecent: 6, roomQueued: 5, roomRecent: 9 });
    assert.match(
      fairUseRefusal(usage, caps)?.message ?? '',
      /^You already have more than 3 PDFs waiting; 3 is the most I hold for one person\./,
    );
    const atCap = { ...usage, senderQueued: 3 };
    assert.match(
      fairUseRefusal(atCap, caps)?.message ?? '',
      /^You already have 3 PDFs waiting, the most I hold for one person\./,
    );
  });

  it('claims the oldest due job first', () => {
    jobs.enqueue(upload('$late'), 20);
    jobs.enqueue(upload('$early'), 10);
    assert.equal(jobs.claim(100, 1000)?.eventId, '$early');
    assert.equal(jobs.claim(100, 1000)?.eventId, '$late');
  });

  it('fails a job with a corrupt stored result instead of the process', () => {
    const { job } = jobs.enqueue(upload('$a'), 0);
    database.sqlite
      .prepare('UPDATE jobs SET result = \'{"kind":"bogus"}\' WHERE id = ?')
      .run(job.id);
    assert.throws(() => jobs.get(job.id), /BadJobRow|invalid row/);
  });

  it('keeps the database file from growing under steady load with clean-up', function () {
    this.timeout(20_000);
    const sizes: number[] = [];
    let next = 0;
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 2000; i++) {
        const { job } = jobs.enqueue(upload(`$e${next++}`), round * 10);
        const claimed = jobs.claim(round * 10, 1000)!;
        jobs.finish(claimed, summary, null, round * 10);
        jobs.markDelivered(job.id, round * 10);
      }
      jobs.deleteDeliveredBefore(round * 10);
      database.sqlite.pragma('wal_checkpoint(PASSIVE)');
      const wal = `${file}-wal`;
      sizes.push(statSync(file).size + (existsSync(wal) ? statSync(wal).size : 0));
    }
    // Each round adds 2,000 rows and deletes the previous round's: the freed pages are reused.
    assert.ok(sizes[5]! <= sizes[1]! * 1.1, `sizes by round: ${sizes.join(', ')}`);
  });

  it('deletes only delivered jobs older than the cut-off', () => {
    jobs.enqueue(upload('$old'), 0);
    jobs.enqueue(upload('$new'), 10_000);
    for (let i = 0; i < 2; i++) {
      const claimed = jobs.claim(20_000, 1000)!;
      jobs.finish(claimed, summary, null, 20_000);
      jobs.markDelivered(claimed.id, 20_000);
    }
    assert.equal(jobs.deleteDeliveredBefore(5_000), 1);
    assert.equal(jobs.getByEventId('$old'), undefined);
    assert.ok(jobs.getByEventId('$new'));
  });
});
