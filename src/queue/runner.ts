import PQueue from 'p-queue';

import { JobError, describe, toJobError } from '../errors.js';
import { logger } from '../log.js';
import { backoffDelay } from '../retry.js';
import type { Job, JobStore } from './jobs.js';
import type { JobResult, SummaryResult } from './result.js';

const log = logger('Runner');

/** What one attempt at a job is given, and what it reports back besides its summary. */
export interface WorkContext {
  signal: AbortSignal;
  /** True on the job's last allowed attempt. */
  lastAttempt: boolean;
  /** Milliseconds per stage, filled in by the work, for the outcome line. */
  timings: Record<string, number>;
  /** Key under which the summary is stored for reuse by identical uploads. */
  summaryKey?: string;
}

/** How the runner reaches the rest of the bridge. */
export interface RunnerDeps {
  jobs: JobStore;
  /** Does the work of one claimed job. Rejects with a JobError on failure. */
  work(job: Job, context: WorkContext): Promise<SummaryResult>;
  /** Sends the replies a job owes; resolves true once the homeserver has taken them. */
  acknowledge(job: Job): Promise<boolean>;
  deliver(job: Job): Promise<boolean>;
  /** Removes files left by jobs that will not run again (start-up sweep). */
  sweep?(): Promise<void>;
}

export interface RunnerOptions {
  /** Jobs worked on at once. */
  concurrency: number;
  /** Attempts per job, counting the first (`max_retries + 1`). */
  maxAttempts: number;
  leaseMs: number;
  pollMs: number;
  retryDelayMs: number;
  /** Longest retry delay, whatever a server asked for. Default 10 minutes. */
  maxRetryDelayMs?: number;
  /** Delivered jobs older than this are deleted at each poll. */
  cleanupAfterMs: number;
  /** Deadline for one attempt at a job; past it the job fails as taking too long. */
  jobTimeoutMs: number;
}

/**
 * Claims due jobs while there is capacity, runs them through a p-queue, stores each outcome and
 * sends its replies. A poll catches what no event woke it for: retries coming due, claims that
 * lapsed, replies the homeserver did not take yet, old rows to delete.
 */
export class JobRunner {
  private readonly queue: PQueue;
  private readonly controllers = new Map<number, AbortController>();
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private stopping = false;

  constructor(
    private readonly deps: RunnerDeps,
    private readonly options: RunnerOptions,
  ) {
    this.queue = new PQueue({ concurrency: options.concurrency });
  }

  /**
   * Returns the jobs a dead process had claimed to the queue and removes its downloads. Call it
   * before anything can wake the runner: nothing of this process is running yet.
   */
  async recover(): Promise<void> {
    const released = this.deps.jobs.releaseAll(Date.now());
    if (released > 0) {
      log.info('resuming jobs interrupted by the last shutdown', { jobs: released });
    }
    await this.deps.sweep?.();
  }

  /** Starts claiming and polling; until then `wake()` does nothing. */
  start(): void {
    this.started = true;
    this.poll();
  }

  /** Claims as many due jobs as there is room for. Safe to call any time, often. */
  wake(): void {
    if (!this.started) return;
    while (!this.stopping && this.queue.pending + this.queue.size < this.options.concurrency) {
      const job = this.deps.jobs.claim(Date.now(), this.options.leaseMs);
      if (!job) break;
      void this.queue.add(() => this.run(job));
    }
  }

  /** Stops claiming, lets running jobs finish for up to `graceMs`, then aborts the rest. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    const idle = this.queue.onIdle();
    const grace = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([idle, grace]);
    for (const controller of this.controllers.values()) controller.abort(new Error('shutdown'));
    await idle;
  }

  get running(): number {
    return this.queue.pending;
  }

  private poll(): void {
    if (this.stopping) return;
    try {
      const now = Date.now();
      const expired = this.deps.jobs.releaseExpired(now);
      if (expired > 0) log.warn('claims lapsed; jobs go back to the queue', { jobs: expired });
      for (const job of this.deps.jobs.unacknowledged(50)) void this.deps.acknowledge(job);
      for (const job of this.deps.jobs.undelivered(50)) void this.deps.deliver(job);
      const deleted = this.deps.jobs.deleteDeliveredBefore(now - this.options.cleanupAfterMs);
      if (deleted > 0) log.info('deleted old jobs', { jobs: deleted });
      this.wake();
    } catch (error) {
      log.error('poll failed', { cause: describe(error) });
    }
    this.timer = setTimeout(() => this.poll(), this.nextPollDelay());
  }

  /** Polls sooner when a retry comes due before the next regular poll. */
  private nextPollDelay(): number {
    const due = this.deps.jobs.nextDueAt();
    const untilDue = due === undefined ? Infinity : Math.max(50, due - Date.now());
    return Math.min(this.options.pollMs, untilDue);
  }

  private async run(job: Job): Promise<void> {
    const controller = new AbortController();
    this.controllers.set(job.id, controller);
    const heartbeat = setInterval(
      () => {
        if (!this.deps.jobs.renewLease(job, Date.now(), this.options.leaseMs)) {
          controller.abort(new Error(`job ${job.id} lost its claim`));
        }
      },
      Math.max(100, this.options.leaseMs / 3),
    );
    const deadline = setTimeout(() => {
      const limit = this.options.jobTimeoutMs / 1000;
      controller.abort(new JobError('timed_out', `job ${job.id} took longer than ${limit} s`));
    }, this.options.jobTimeoutMs);
    const started = performance.now();
    const lastAttempt = job.attempts >= this.options.maxAttempts;
    const timings: Record<string, number> = {};
    const fields: Record<string, string | number> = {};
    let outcome: string;
    try {
      if (job.attempts > this.options.maxAttempts) throw crashedTooOften(job);
      const context: WorkContext = { signal: controller.signal, lastAttempt, timings };
      const summary = await this.deps.work(job, context);
      fields.pages = summary.pageCount;
      fields.producer = summary.producer;
      const stored = this.deps.jobs.finish(job, summary, null, Date.now(), context.summaryKey);
      outcome = stored ? 'completed' : 'claim lost';
    } catch (error) {
      // When the job was stopped (deadline, lost claim), that reason explains the failure
      // better than whatever the interrupted stage threw.
      const reason: unknown = controller.signal.reason;
      const cause = reason instanceof JobError ? reason : toJobError(error);
      outcome = this.handleFailure(job, cause, controller.signal.aborted);
    } finally {
      clearTimeout(deadline);
      clearInterval(heartbeat);
      this.controllers.delete(job.id);
    }
    log.info('job done', {
      job: job.id,
      attempt: `${job.attempts}/${this.options.maxAttempts}`,
      ms: Math.round(performance.now() - started),
      result: outcome,
      ...fields,
      ...timings,
    });
    if (outcome === 'completed' || outcome.startsWith('failed')) void this.deps.deliver(job);
    this.wake();
  }

  private handleFailure(job: Job, error: JobError, aborted: boolean): string {
    if (aborted && this.stopping) {
      // Shutting down: leave the job for the next start without spending an attempt's result.
      this.deps.jobs.release(job, Date.now());
      return 'interrupted';
    }
    const detail = `${error.code}: ${error.message}`;
    if (error.retryable && job.attempts < this.options.maxAttempts) {
      const delay = Math.min(
        this.options.maxRetryDelayMs ?? 600_000,
        Math.max(
          error.retryAfterMs ?? 0,
          backoffDelay(
            job.attempts,
            this.options.retryDelayMs,
            this.options.maxRetryDelayMs ?? 600_000,
          ),
        ),
      );
      this.deps.jobs.reschedule(job, Date.now() + delay, detail, Date.now());
      log.warn('attempt failed; will retry', {
        job: job.id,
        attempt: job.attempts,
        delay_ms: delay,
        cause: detail,
      });
      return 'retry';
    }
    const message = error.retryable
      ? `${error.userMessage} I tried ${job.attempts} times; please upload it again later.`
      : error.userMessage;
    const result: JobResult = { kind: 'failure', code: error.code, message };
    const level = error.code === 'internal' ? 'error' : 'info';
    log[level]('job failed', { job: job.id, attempt: job.attempts, cause: detail });
    return this.store(job, result, detail) ? `failed (${error.code})` : 'claim lost';
  }

  private store(job: Job, result: JobResult, error: string | null): boolean {
    return this.deps.jobs.finish(job, result, error, Date.now());
  }
}

/**
 * A job claimed more often than it may be attempted: its earlier attempts never reported back,
 * so the bridge stopped while working on it each time (a file that crashes the process, say).
 */
function crashedTooOften(job: Job): JobError {
  return new JobError('internal', `job ${job.id} was interrupted ${job.attempts - 1} times`, {
    userMessage: 'I could not finish this file: reading it kept getting interrupted.',
  });
}
