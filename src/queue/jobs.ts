import { and, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import { z } from 'zod';

import type { Db } from '../db/client.js';
import { jobs } from '../db/schema.js';
import { jobResultSchema, type JobResult } from './result.js';

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
 *
 * Every transition on a claimed job names the attempt it belongs to, so a worker that lost its
 * lease cannot overwrite the work of the one that took the job over.
 */
export type JobStatus = 'pending' | 'processing' | 'completed' | 'failed';

export interface NewJob {
  eventId: string;
  roomId: string;
  sender: string;
  threadRoot: string | null;
  fileName: string;
  mxcUrl: string;
  mimetype: string | null;
  declaredSize: number | null;
}

const jobSchema = z.object({
  id: z.number().int(),
  eventId: z.string(),
  roomId: z.string(),
  sender: z.string(),
  threadRoot: z.string().nullable(),
  fileName: z.string(),
  mxcUrl: z.string(),
  mimetype: z.string().nullable(),
  declaredSize: z.number().nullable(),
  status: z.enum(['pending', 'processing', 'completed', 'failed']),
  attempts: z.number().int(),
  runAfter: z.number(),
  leaseUntil: z.number().nullable(),
  ackedAt: z.number().nullable(),
  result: z
    .string()
    .nullable()
    .transform((text, context) => {
      if (text === null) return null;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        context.addIssue({ code: 'custom', message: 'result is not JSON' });
        return z.NEVER;
      }
      const parsed = jobResultSchema.safeParse(value);
      if (parsed.success) return parsed.data;
      context.addIssue({ code: 'custom', message: `result: ${parsed.error.message}` });
      return z.NEVER;
    }),
  lastError: z.string().nullable(),
  deliveredAt: z.number().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});

export type Job = z.output<typeof jobSchema>;

/** A stored row that does not match the schema; it fails its own job, not the process. */
export class BadJobRow extends Error {
  override readonly name = 'BadJobRow';
}

function toJob(row: unknown): Job {
  const parsed = jobSchema.safeParse(row);
  if (!parsed.success) {
    const id = (row as { id?: unknown } | undefined)?.id;
    throw new BadJobRow(`job ${String(id)} has an invalid row: ${parsed.error.message}`);
  }
  return parsed.data;
}

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
  private readonly byEventId;
  private readonly byId;
  private readonly claimNext;
  private readonly renew;
  private readonly retry;
  private readonly giveBack;
  private readonly complete;
  private readonly acked;
  private readonly delivered;
  private readonly expire;
  private readonly requeueAll;

  constructor(private readonly db: Db) {
    this.insert = db
      .insert(jobs)
      .values({
        eventId: param('eventId'),
        roomId: param('roomId'),
        sender: param('sender'),
        threadRoot: param('threadRoot'),
        fileName: param('fileName'),
        mxcUrl: param('mxcUrl'),
        mimetype: param('mimetype'),
        declaredSize: param('declaredSize'),
        status: 'pending',
        attempts: 0,
        runAfter: p.now,
        createdAt: p.now,
        updatedAt: p.now,
      })
      .onConflictDoNothing({ target: jobs.eventId })
      .returning()
      .prepare();
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
        sql`${jobs.id} = (SELECT ${jobs.id} FROM ${jobs}
          WHERE ${jobs.status} = 'pending' AND ${jobs.runAfter} <= ${p.now}
          ORDER BY ${jobs.runAfter}, ${jobs.id} LIMIT 1)`,
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
        lastError: param('error'),
        updatedAt: p.now,
      })
      .where(claimed)
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
  }

  /** Stores a new pending job; `created` is false when the event already had one. */
  enqueue(job: NewJob, now: number): { job: Job; created: boolean } {
    const inserted = this.insert.get({ ...job, now });
    if (inserted) return { job: toJob(inserted), created: true };
    return { job: toJob(this.byEventId.get({ eventId: job.eventId })), created: false };
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
    const row = this.claimNext.get({ now, until: now + leaseMs });
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
  finish(job: Job, result: JobResult, error: string | null, now: number): boolean {
    const status = result.kind === 'summary' ? 'completed' : 'failed';
    const params = {
      id: job.id,
      attempt: job.attempts,
      status,
      result: JSON.stringify(result),
      error,
      now,
    };
    return this.complete.run(params).changes === 1;
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
    return this.db
      .select()
      .from(jobs)
      .where(isNull(jobs.ackedAt))
      .orderBy(jobs.createdAt)
      .limit(limit)
      .all()
      .map(toJob);
  }

  /** Finished jobs whose answer has not been accepted yet, oldest first. */
  undelivered(limit: number): Job[] {
    return this.db
      .select()
      .from(jobs)
      .where(and(isNull(jobs.deliveredAt), inArray(jobs.status, ['completed', 'failed'])))
      .orderBy(jobs.updatedAt)
      .limit(limit)
      .all()
      .map(toJob);
  }

  /** Deletes delivered jobs created before `cutoff`; returns how many. */
  deleteDeliveredBefore(cutoff: number): number {
    return this.db
      .delete(jobs)
      .where(
        and(
          inArray(jobs.status, ['completed', 'failed']),
          lt(jobs.createdAt, cutoff),
          sql`${jobs.deliveredAt} IS NOT NULL`,
        ),
      )
      .run().changes;
  }

  /** Soonest `run_after` among pending jobs, to know when to look again. */
  nextDueAt(): number | undefined {
    const row = this.db
      .select({ at: sql<number>`min(${jobs.runAfter})` })
      .from(jobs)
      .where(eq(jobs.status, 'pending'))
      .get();
    return row?.at ?? undefined;
  }

  countByStatus(): Record<JobStatus, number> {
    const counts: Record<JobStatus, number> = {
      pending: 0,
      processing: 0,
      completed: 0,
      failed: 0,
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
