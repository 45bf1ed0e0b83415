import { and, desc, eq, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm';

import type { Db } from '../db/client.js';
import { jobs } from '../db/schema.js';
import type { FairUseLimits } from './fair-use.js';
import { toJob, type Job, type JobStatus, type NewJob, type Usage } from './job-row.js';
import { jobResultSchema, type JobResult, type SummaryResult } from './result.js';

export { BadJobRow, type Job, type JobStatus, type NewJob, type Usage } from './job-row.js';

/**
 * The durable job queue.
 *
 * A job's life, written down once:
 *
 *     pending ──claim──▶ processing ──finish──▶ completed | failed
 *        ▲                   │
 *        └── retry / lease ──┘
 *
 * - `enqueue` inserts a pending job; the Matrix event id is unique, so a replayed event is a no-op.
 * - `claim` takes the oldest due pending job in one `UPDATE … RETURNING`, counts the attempt and
 *   sets a lease. The runner renews the lease while it works.
 * - A processing job whose lease lapsed (its process died) goes back to pending with its attempt
 *   count kept; so does every processing job at start-up. A job interrupted by a graceful
 *   shutdown is released without counting the attempt.
 * - `finish` stores the answer (a summary or a failure) before anything is sent.
 * - Two replies are owed for every job: the "working on it" notice (`acked_at`) and the answer
 *   (`delivered_at`). Each is marked only after the homeserver accepted it.
 * - An upload over a fair-use cap is stored as `refused`, with its answer and no "working on
 *   it" notice owed; it never runs.
 * - Among due jobs, `claim` prefers the sender served least in the last hour, so one person's
 *   many uploads cannot keep another's waiting.
 *
 * Every transition on a claimed job names the attempt it belongs to, so a worker that lost its
 * lease cannot overwrite the work of the one that took the job over.
 */

/** How far back the fair-share order looks at what each sender was served. */
const FAIR_SHARE_WINDOW_MS = 3_600_000;

/** A named parameter of a prepared statement, usable wherever drizzle takes a value. */
const param = (name: string) => sql`${sql.placeholder(name)}`;

const p = {
  id: param('id'),
  attempt: param('attempt'),
  now: param('now'),
  until: param('until'),
};

export class JobStore {
  private readonly insert;
  private readonly insertRefused;
  private readonly senderUsage;
  private readonly roomUsage;
  private readonly byEventId;
  private readonly byId;
  private readonly claimNext;
  private readonly renew;
  private readonly retry;
  private readonly giveBack;
  private readonly complete;
  private readonly bySummaryKey;
  private readonly acked;
  private readonly delivered;
  private readonly expire;
  private readonly requeueAll;
  private readonly owedAcks;
  private readonly owedAnswers;
  private readonly firstDue;

  constructor(private readonly db: Db) {
    // Both inserts take the upload's own fields; a refused one also carries its answer and owes
    // no "working on it" reply.
    const upload = {
      eventId: param('eventId'),
      roomId: param('roomId'),
      sender: param('sender'),
      threadRoot: param('threadRoot'),
      fileName: param('fileName'),
      mxcUrl: param('mxcUrl'),
      mimetype: param('mimetype'),
      declaredSize: param('declaredSize'),
      attempts: 0,
      runAfter: p.now,
      createdAt: p.now,
      updatedAt: p.now,
    };
    this.insert = db
      .insert(jobs)
      .values({ ...upload, status: 'pending' })
      .onConflictDoNothing({ target: jobs.eventId })
      .returning()
      .prepare();
    this.insertRefused = db
      .insert(jobs)
      .values({ ...upload, status: 'refused', ackedAt: p.now, result: param('result') })
      .onConflictDoNothing({ target: jobs.eventId })
      .returning()
      .prepare();
    // Two counts per subject, each on the index that bounds it, and each stopping at `most`
    // rows: queued jobs through the status index (the unary + keeps SQLite off the per-subject
    // index, which would read every upload the subject still has), recent uploads through the
    // (subject, created_at) index, which leaves refused uploads out when the query says
    // `status != 'refused'` as it does.
    const counted = (where: SQL) =>
      db
        .select({ n: sql<number>`count(*)` })
        .from(
          db
            .select({ one: sql`1` })
            .from(jobs)
            .where(where)
            .limit(sql.placeholder('most'))
            .as('counted'),
        )
        .prepare();
    const usageOf = (column: typeof jobs.sender | typeof jobs.roomId) => ({
      queued: counted(
        sql`${jobs.status} IN ('pending', 'processing') AND +${column} = ${param('who')}`,
      ),
      recent: counted(
        sql`${column} = ${param('who')} AND ${jobs.createdAt} >= ${param('since')}
          AND ${jobs.status} != 'refused'`,
      ),
    });
    this.senderUsage = usageOf(jobs.sender);
    this.roomUsage = usageOf(jobs.roomId);
    this.byEventId = db
      .select()
      .from(jobs)
      .where(eq(jobs.eventId, param('eventId')))
      .prepare();
    this.byId = db.select().from(jobs).where(eq(jobs.id, p.id)).prepare();
    this.claimNext = db
      .update(jobs)
      .set({
        status: 'processing',
        attempts: sql`${jobs.attempts} + 1`,
        leaseUntil: p.until,
        updatedAt: p.now,
      })
      .where(
        // Fair share: among due jobs, the sender served least in the last hour goes first
        // (jobs taken up or finished since then, on the (sender, created_at) index of uploads
        // not refused, which the redundant `!= 'refused'` lets SQLite use). Counting stops at
        // 16, which keeps a claim cheap however busy a sender has been.
        sql`${jobs.id} = (SELECT due.id FROM ${jobs} AS due
          WHERE due.status = 'pending' AND due.run_after <= ${p.now}
          ORDER BY (SELECT count(*) FROM (SELECT 1 FROM ${jobs} AS served
                    WHERE served.sender = due.sender AND served.created_at >= ${param('since')}
                      AND served.status != 'refused'
                      AND served.status IN ('processing', 'completed', 'failed')
                    LIMIT 16)),
                   due.run_after, due.id
          LIMIT 1)`,
      )
      .returning()
      .prepare();
    const claimed = and(
      eq(jobs.id, p.id),
      eq(jobs.status, 'processing'),
      eq(jobs.attempts, p.attempt),
    );
    this.renew = db.update(jobs).set({ leaseUntil: p.until }).where(claimed).prepare();
    this.retry = db
      .update(jobs)
      .set({
        status: 'pending',
        leaseUntil: null,
        runAfter: p.until,
        lastError: param('error'),
        updatedAt: p.now,
      })
      .where(claimed)
      .prepare();
    this.giveBack = db
      .update(jobs)
      .set({
        status: 'pending',
        attempts: sql`${jobs.attempts} - 1`,
        leaseUntil: null,
        runAfter: p.now,
        updatedAt: p.now,
      })
      .where(claimed)
      .prepare();
    this.complete = db
      .update(jobs)
      .set({
        status: param('status'),
        leaseUntil: null,
        result: param('result'),
        summaryKey: param('summaryKey'),
        lastError: param('error'),
        updatedAt: p.now,
      })
      .where(claimed)
      .prepare();
    this.bySummaryKey = db
      .select({ result: jobs.result })
      .from(jobs)
      .where(and(eq(jobs.summaryKey, param('key')), eq(jobs.status, 'completed')))
      .orderBy(desc(jobs.id))
      .limit(1)
      .prepare();
    this.acked = db
      .update(jobs)
      .set({ ackedAt: p.now })
      .where(and(eq(jobs.id, p.id), isNull(jobs.ackedAt)))
      .prepare();
    this.delivered = db
      .update(jobs)
      .set({ deliveredAt: p.now, updatedAt: p.now })
      .where(and(eq(jobs.id, p.id), isNull(jobs.deliveredAt)))
      .prepare();
    this.expire = db
      .update(jobs)
      .set({ status: 'pending', leaseUntil: null, runAfter: p.now, updatedAt: p.now })
      .where(and(eq(jobs.status, 'processing'), lt(jobs.leaseUntil, p.now)))
      .prepare();
    this.requeueAll = db
      .update(jobs)
      .set({ status: 'pending', leaseUntil: null, runAfter: p.now, updatedAt: p.now })
      .where(eq(jobs.status, 'processing'))
      .prepare();
    // What every poll asks, on the partial indexes of replies still owed.
    this.owedAcks = db
      .select()
      .from(jobs)
      .where(isNull(jobs.ackedAt))
      .orderBy(jobs.createdAt)
      .limit(sql.placeholder('limit'))
      .prepare();
    this.owedAnswers = db
      .select()
      .from(jobs)
      .where(
        and(isNull(jobs.deliveredAt), inArray(jobs.status, ['completed', 'failed', 'refused'])),
      )
      .orderBy(jobs.updatedAt)
      .limit(sql.placeholder('limit'))
      .prepare();
    this.firstDue = db
      .select({ at: sql<number | null>`min(${jobs.runAfter})` })
      .from(jobs)
      .where(eq(jobs.status, 'pending'))
      .prepare();
  }

  /** Stores a new pending job; `created` is false when the event already had one. */
  enqueue(job: NewJob, now: number): { job: Job; created: boolean } {
    const inserted = this.insert.get({ ...job, now });
    if (inserted) return { job: toJob(inserted), created: true };
    return { job: toJob(this.byEventId.get({ eventId: job.eventId })), created: false };
  }

  /** Stores an upload that will not run, with the answer that says why. */
  refuse(job: NewJob, result: JobResult, now: number): { job: Job; created: boolean } {
    const inserted = this.insertRefused.get({ ...job, result: JSON.stringify(result), now });
    if (inserted) return { job: toJob(inserted), created: true };
    return { job: toJob(this.byEventId.get({ eventId: job.eventId })), created: false };
  }

  /**
   * Queued jobs, and uploads since `since` (refused ones not counted), of a sender and room.
   * Each count stops one past its cap in `limits`: enough to tell "at the cap" from "over it"
   * (a cap lowered since), and a flood of uploads does not make counting slower.
   */
  usage(sender: string, roomId: string, since: number, limits: FairUseLimits): Usage {
    type Count = { get(params: Record<string, unknown>): { n: number } | undefined };
    const count = (statement: Count, who: string, cap: number) =>
      statement.get({ who, since, most: cap + 1 })?.n ?? 0;
    return {
      senderQueued: count(this.senderUsage.queued, sender, limits.queuedPerSender),
      senderRecent: count(this.senderUsage.recent, sender, limits.perSenderPerHour),
      roomQueued: count(this.roomUsage.queued, roomId, limits.queuedPerRoom),
      roomRecent: count(this.roomUsage.recent, roomId, limits.perRoomPerHour),
    };
  }

  get(id: number): Job | undefined {
    const row = this.byId.get({ id });
    return row ? toJob(row) : undefined;
  }

  getByEventId(eventId: string): Job | undefined {
    const row = this.byEventId.get({ eventId });
    return row ? toJob(row) : undefined;
  }

  /** Claims the oldest due pending job for `leaseMs`, or returns undefined. */
  claim(now: number, leaseMs: number): Job | undefined {
    const row = this.claimNext.get({
      now,
      until: now + leaseMs,
      since: now - FAIR_SHARE_WINDOW_MS,
    });
    return row ? toJob(row) : undefined;
  }

  /** Extends a claim; false means the claim was lost and the work must stop. */
  renewLease(job: Job, now: number, leaseMs: number): boolean {
    return (
      this.renew.run({ id: job.id, attempt: job.attempts, until: now + leaseMs }).changes === 1
    );
  }

  /** Puts a claimed job back to pending until `runAfter`, keeping its attempt count. */
  reschedule(job: Job, runAfter: number, error: string, now: number): boolean {
    const params = { id: job.id, attempt: job.attempts, until: runAfter, error, now };
    return this.retry.run(params).changes === 1;
  }

  /**
   * Returns a claimed job to pending without counting the attempt: the bridge is shutting down
   * and the job never got a fair try.
   */
  release(job: Job, now: number): boolean {
    return this.giveBack.run({ id: job.id, attempt: job.attempts, now }).changes === 1;
  }

  /** Stores the answer of a claimed job. False means the claim was lost meanwhile. */
  finish(
    job: Job,
    result: JobResult,
    error: string | null,
    now: number,
    summaryKey: string | null = null,
  ): boolean {
    const status = result.kind === 'summary' ? 'completed' : 'failed';
    const params = {
      id: job.id,
      attempt: job.attempts,
      status,
      result: JSON.stringify(result),
      summaryKey,
      error,
      now,
    };
    return this.complete.run(params).changes === 1;
  }

  /** The stored summary of an earlier upload with the same key, if there is one. */
  summaryFor(key: string): SummaryResult | undefined {
    const row = this.bySummaryKey.get({ key });
    if (!row?.result) return undefined;
    const parsed = jobResultSchema.safeParse(JSON.parse(row.result));
    return parsed.success && parsed.data.kind === 'summary' ? parsed.data : undefined;
  }

  markAcknowledged(id: number, now: number): void {
    this.acked.run({ id, now });
  }

  markDelivered(id: number, now: number): void {
    this.delivered.run({ id, now });
  }

  /** Returns lapsed claims to pending; their attempt counts are kept. */
  releaseExpired(now: number): number {
    return this.expire.run({ now }).changes;
  }

  /** At start-up nothing can be running yet: every claim belongs to a process that died. */
  releaseAll(now: number): number {
    return this.requeueAll.run({ now }).changes;
  }

  /** Jobs whose "working on it" reply has not been accepted yet, oldest first. */
  unacknowledged(limit: number): Job[] {
    return this.owedAcks.all({ limit }).map(toJob);
  }

  /** Finished jobs whose answer has not been accepted yet, oldest first. */
  undelivered(limit: number): Job[] {
    return this.owedAnswers.all({ limit }).map(toJob);
  }

  /** Deletes delivered jobs created before `cutoff`; returns how many. */
  deleteDeliveredBefore(cutoff: number): number {
    return this.db
      .delete(jobs)
      .where(
        and(
          inArray(jobs.status, ['completed', 'failed', 'refused']),
          lt(jobs.createdAt, cutoff),
          sql`${jobs.deliveredAt} IS NOT NULL`,
        ),
      )
      .run().changes;
  }

  /** Soonest `run_after` among pending jobs, to know when to look again. */
  nextDueAt(): number | undefined {
    return this.firstDue.get()?.at ?? undefined;
  }

  countByStatus(): Record<JobStatus, number> {
    const counts: Record<JobStatus, number> = {
      pending: 0,
      processing: 0,
      completed: 0,
      failed: 0,
      refused: 0,
    };
    const rows = this.db
      .select({ status: jobs.status, n: sql<number>`count(*)` })
      .from(jobs)
      .groupBy(jobs.status)
      .all();
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }
}
