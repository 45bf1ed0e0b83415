import { Worker, type ResourceLimits } from 'node:worker_threads';

import { describe, JobError } from '../errors.js';
import {
  fromWireError,
  type TaskOf,
  type TaskKind,
  type TaskResults,
  type TaskTiming,
  type ThreadMessage,
} from './protocol.js';

/** A task's value together with when and on which thread it ran. */
export type TaskReport<T> = { value: T } & TaskTiming;

interface Running {
  id: number;
  resolve: (report: TaskReport<TaskResults[TaskKind]>) => void;
  reject: (error: unknown) => void;
}

/**
 * One worker thread as the pool sees it: starting, then idle or running one task, then dead.
 *
 * A thread that dies on its own (out of memory, an uncaught error, an exit) rejects its task and
 * reports through `onDeath` so the pool can replace it. A thread the pool kills (time limit,
 * abort, shutdown) rejects its task with the reason the pool gives and reports nothing.
 */
export class WorkerHandle {
  readonly threadId: number;
  /** Resolves when the thread has loaded pdf.js; rejects if it dies first. */
  readonly ready: Promise<void>;
  private readonly worker: Worker;
  private running: Running | undefined;
  private started = false;
  private dead = false;

  constructor(
    url: URL,
    resourceLimits: ResourceLimits,
    private readonly onDeath: (handle: WorkerHandle, reason: JobError) => void,
  ) {
    this.worker = new Worker(url, { resourceLimits });
    this.threadId = this.worker.threadId;

    this.ready = new Promise<void>((resolve, reject) => {
      this.worker.on('message', (message: ThreadMessage) => {
        if (message.type === 'ready') {
          this.started = true;
          resolve();
        } else {
          this.settle(message);
        }
      });
      this.worker.on('error', (error) => {
        this.die(deathReason(this.threadId, error, resourceLimits.maxOldGenerationSizeMb));
        reject(error);
      });
      this.worker.on('exit', (code) => {
        const reason = new JobError('internal', `worker thread ${this.threadId} exited (${code})`);
        this.die(reason);
        reject(reason);
      });
    });
    // A thread that dies before it is ready is reported through onDeath as well.
    this.ready.catch(() => undefined);
  }

  /** True once the thread has said it is ready, even if it has died since. */
  get wasReady(): boolean {
    return this.started;
  }

  get isReady(): boolean {
    return this.started && !this.dead;
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Sends a task; the thread must be ready and idle. */
  run<K extends TaskKind>(id: number, task: TaskOf<K>): Promise<TaskReport<TaskResults[K]>> {
    if (!this.isReady || this.running) {
      throw new Error(`worker thread ${this.threadId} cannot take task ${id}: not idle`);
    }
    return new Promise<TaskReport<TaskResults[K]>>((resolve, reject) => {
      this.running = { id, resolve: resolve as Running['resolve'], reject };
      this.worker.postMessage({ type: 'task', id, task });
    });
  }

  /** Terminates the thread; its task, if any, rejects with `reason`. */
  async kill(reason: unknown): Promise<void> {
    if (!this.dead) {
      this.dead = true;
      this.rejectRunning(reason);
    }
    await this.worker.terminate();
  }

  private settle(message: Exclude<ThreadMessage, { type: 'ready' }>): void {
    const running = this.running;
    if (!running || running.id !== message.id) return;
    this.running = undefined;
    const { threadId, startedAt, finishedAt } = message;
    if (message.type === 'result') {
      running.resolve({ value: message.value, threadId, startedAt, finishedAt });
    } else {
      running.reject(fromWireError(message.error));
    }
  }

  private die(reason: JobError): void {
    if (this.dead) return;
    this.dead = true;
    this.rejectRunning(reason);
    this.onDeath(this, reason);
  }

  private rejectRunning(reason: unknown): void {
    const running = this.running;
    this.running = undefined;
    running?.reject(reason);
  }
}

function deathReason(
  threadId: number,
  error: Error & { code?: unknown },
  limitMb: number | undefined,
): JobError {
  if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new JobError(
      'too_large',
      `worker thread ${threadId} ran out of memory reading the document; ` +
        `the heap limit is ${limitMb ?? '(default)'} MB`,
      { cause: error },
    );
  }
  return new JobError('internal', `worker thread ${threadId} crashed: ${describe(error)}`, {
    cause: error,
  });
}
