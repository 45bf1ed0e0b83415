import PQueue from 'p-queue';

import { describe, JobError } from '../errors.js';
import { logger } from '../log.js';
import type { ExtractedDocument, ExtractLimits } from '../pdf/types.js';
import type { ChunkOptions } from '../summarize/chunk.js';
import type { summarizeExtractive } from '../summarize/extractive.js';
import type { ChunkBounds, TextMeasure, TextScanner } from '../summarize/scan.js';
import { WorkerHandle, type TaskReport } from './handle.js';
import { IdleList } from './idle.js';
import type { ExtractiveSummary, Task, TaskKind, TaskOf, TaskResults } from './protocol.js';

export type { TaskReport } from './handle.js';

const log = logger('worker-pool');

export interface WorkerPoolOptions {
  /** Threads kept running; each costs ~50 MB before it reads a document. @default 2 */
  size?: number;
  /**
   * Heap limit of each thread (`maxOldGenerationSizeMb`), in MB. A thread that exceeds it is
   * terminated and its task fails with `too_large`. Reading page by page, the 2,415-page test
   * manual needs about 200 MB. @default 512
   */
  memoryLimitMb?: number;
  /**
   * Time limit of one task, in milliseconds, counted from when a thread takes it (time spent
   * waiting in the queue does not count). Overridden per call by `timeoutMs`. @default 60000
   */
  taskTimeoutMs?: number;
  /** The thread entry module. @default the compiled `thread.js` beside this file */
  workerUrl?: URL;
}

export interface TaskOptions {
  /** Aborting removes a queued task, or terminates (and replaces) the thread running it. */
  signal?: AbortSignal;
  /** Time limit for this task, in milliseconds. @default the pool's `taskTimeoutMs` */
  timeoutMs?: number;
}

export interface PoolStats {
  /** Threads the pool keeps: idle + busy + starting, except briefly while one is replaced. */
  size: number;
  busy: number;
  idle: number;
  /** Threads spawned but not yet ready (replacements). */
  starting: number;
  /** Tasks waiting for a thread. */
  queued: number;
  /** Threads replaced after a timeout, abort, crash or memory overrun. */
  replaced: number;
  /** Tasks that finished, with a value or with an error from the thread. */
  tasksDone: number;
}

/** Longest pause between attempts to spawn a thread when spawning keeps failing. */
const MAX_RESPAWN_DELAY_MS = 30_000;

/**
 * A fixed set of reused worker threads that read PDFs and run the built-in summarizer.
 *
 * A p-queue with concurrency = size hands each task to an idle thread. A thread that runs past
 * its time limit, is aborted, runs out of memory or crashes is terminated and a new one is
 * spawned in its place, so the pool keeps its size while the other tasks carry on. The main
 * thread only passes messages: PDFs are read from disk by the threads themselves.
 */
export class WorkerPool {
  private readonly size: number;
  private readonly taskTimeoutMs: number;
  private readonly workerUrl: URL;
  private readonly resourceLimits: {
    maxOldGenerationSizeMb: number;
    maxYoungGenerationSizeMb: number;
  };
  private readonly queue: PQueue;
  private readonly handles = new Set<WorkerHandle>();
  private readonly idle = new IdleList<WorkerHandle>();
  /** One controller per accepted task, so close() can reject queued and running ones alike. */
  private readonly inFlight = new Set<AbortController>();
  private state: 'new' | 'starting' | 'running' | 'closed' = 'new';
  private nextTaskId = 1;
  private spawnFailures = 0;
  private replaced = 0;
  private tasksDone = 0;

  constructor(options: WorkerPoolOptions = {}) {
    this.size = options.size ?? 2;
    if (!Number.isInteger(this.size) || this.size < 1) {
      throw new RangeError(`worker pool size must be a whole number ≥ 1, got ${this.size}`);
    }
    const memoryLimitMb = options.memoryLimitMb ?? 512;
    // The young generation only holds short-lived objects; a sixteenth of the heap, 4–32 MB.
    this.resourceLimits = {
      maxOldGenerationSizeMb: memoryLimitMb,
      // A small young generation keeps a long document's peak down (measured: 23–27 MB less
      // on the 2,415-page manual at 16 MB than at 32 MB).
      maxYoungGenerationSizeMb: Math.min(16, Math.max(4, Math.round(memoryLimitMb / 16))),
    };
    this.taskTimeoutMs = options.taskTimeoutMs ?? 60_000;
    this.workerUrl = options.workerUrl ?? new URL('./thread.js', import.meta.url);
    this.queue = new PQueue({ concurrency: this.size });
  }

  /** Spawns every thread and resolves once all have loaded pdf.js. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`worker pool cannot start: it is ${this.state}`);
    this.state = 'starting';
    const handles = Array.from({ length: this.size }, () => this.spawn());
    try {
      await Promise.all(handles.map((handle) => handle.ready));
    } catch (error) {
      await this.close();
      throw new Error(`worker pool could not start its threads: ${describe(error)}`, {
        cause: error,
      });
    }
    this.state = 'running';
    log.debug('worker pool started', { size: this.size, ...this.resourceLimits });
  }

  /** Reads the PDF at `path` in a thread. Rejects with a JobError when it cannot be read. */
  async extract(
    path: string,
    limits: ExtractLimits,
    options?: TaskOptions,
  ): Promise<ExtractedDocument> {
    return (await this.run({ kind: 'extract', path, limits }, options)).value;
  }

  /** Runs the built-in extractive summarizer in a thread. */
  async summarize(
    text: string,
    options: Parameters<typeof summarizeExtractive>[1],
    taskOptions?: TaskOptions,
  ): Promise<ExtractiveSummary> {
    return (await this.run({ kind: 'summarize', text, options }, taskOptions)).value;
  }

  /** The token estimate and language of a text, worked out in a thread. */
  async measure(text: string, options?: TaskOptions): Promise<TextMeasure> {
    return (await this.run({ kind: 'measure', text }, options)).value;
  }

  /** A text cut into parts for the model, in a thread; only the parts' bounds come back. */
  async split(text: string, chunking: ChunkOptions, options?: TaskOptions): Promise<ChunkBounds[]> {
    return (await this.run({ kind: 'split', text, options: chunking }, options)).value;
  }

  /** The pool as the model summarizer's {@link TextScanner}. */
  scanner(): TextScanner {
    return {
      measure: (text, signal) => this.measure(text, { signal }),
      split: (text, chunking, signal) => this.split(text, chunking, { signal }),
    };
  }

  /** Runs any task and also reports which thread ran it and when. */
  run<K extends TaskKind>(
    task: TaskOf<K>,
    options: TaskOptions = {},
  ): Promise<TaskReport<TaskResults[K]>> {
    if (this.state !== 'running') {
      return Promise.reject(
        new JobError('internal', `worker pool is ${this.state}; expected it to be running`),
      );
    }
    const controller = new AbortController();
    const signal = options.signal
      ? AbortSignal.any([options.signal, controller.signal])
      : controller.signal;
    const timeoutMs = options.timeoutMs ?? this.taskTimeoutMs;

    this.inFlight.add(controller);
    const done = this.queue.add(() => this.dispatch(task, signal, timeoutMs), { signal });
    return done.finally(() => this.inFlight.delete(controller));
  }

  /** Terminates every thread. Queued and running tasks reject with an `internal` JobError. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';

    const reason = new JobError('internal', 'worker pool closed before the task finished');
    for (const controller of this.inFlight) controller.abort(reason);
    this.idle.clear(reason);
    this.queue.clear();

    const handles = [...this.handles];
    this.handles.clear();
    await Promise.all(handles.map((handle) => handle.kill(reason)));
  }

  stats(): PoolStats {
    let busy = 0;
    let starting = 0;
    for (const handle of this.handles) {
      if (handle.busy) busy++;
      else if (!handle.isReady) starting++;
    }
    return {
      size: this.handles.size,
      busy,
      idle: this.idle.size,
      starting,
      queued: this.queue.size,
      replaced: this.replaced,
      tasksDone: this.tasksDone,
    };
  }

  private async dispatch<K extends TaskKind>(
    task: TaskOf<K>,
    signal: AbortSignal,
    timeoutMs: number,
  ): Promise<TaskReport<TaskResults[K]>> {
    const handle = await this.idle.take(signal);
    if (signal.aborted) {
      this.idle.give(handle);
      throw signal.reason;
    }
    const id = this.nextTaskId++;
    const onAbort = (): void => void this.retire(handle, signal.reason);
    const timer = setTimeout(
      () => void this.retire(handle, timedOut(task, handle, timeoutMs)),
      timeoutMs,
    );
    signal.addEventListener('abort', onAbort, { once: true });

    try {
      const report = await handle.run(id, task);
      this.tasksDone++;
      return report;
    } catch (error) {
      if (handle.isReady) this.tasksDone++;
      throw error;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (handle.isReady) this.idle.give(handle);
    }
  }

  private spawn(): WorkerHandle {
    const handle = new WorkerHandle(this.workerUrl, this.resourceLimits, (dead, reason) =>
      this.replace(dead, reason),
    );
    this.handles.add(handle);
    handle.ready.then(
      () => {
        this.spawnFailures = 0;
        if (this.state === 'closed') void handle.kill('closed');
        else this.idle.give(handle);
      },
      () => undefined, // reported through onDeath, which replaces it
    );
    return handle;
  }

  /** Terminates a thread the pool gives up on (time limit, abort) and replaces it. */
  private async retire(handle: WorkerHandle, reason: unknown): Promise<void> {
    if (!this.handles.has(handle)) return;
    await handle.kill(reason);
    this.replace(handle, reason);
  }

  private replace(handle: WorkerHandle, reason: unknown): void {
    if (!this.handles.delete(handle)) return;
    this.idle.remove(handle);
    if (this.state !== 'running') return;

    this.replaced++;
    const why = reason instanceof JobError ? reason.code : 'aborted';
    log.warn('replacing worker thread', {
      threadId: handle.threadId,
      reason: why,
      detail: reason instanceof Error ? reason.message : describe(reason),
      replaced: this.replaced,
    });

    // A thread that dies before it is ready points at a broken entry or setup: back off.
    if (!handle.wasReady) this.spawnFailures++;
    const delay = this.spawnFailures === 0 ? 0 : respawnDelay(this.spawnFailures);
    setTimeout(() => {
      if (this.state === 'running') this.spawn();
    }, delay).unref();
  }
}

function timedOut(task: Task, handle: WorkerHandle, timeoutMs: number): JobError {
  const limit = `${timeoutMs.toLocaleString('en-US')} ms`;
  return new JobError(
    'timed_out',
    `${task.kind} task still running on worker thread ${handle.threadId} after ${limit}; ` +
      `the limit is ${limit}`,
  );
}

function respawnDelay(failures: number): number {
  return Math.min(MAX_RESPAWN_DELAY_MS, 250 * 2 ** (failures - 1));
}
