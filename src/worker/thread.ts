import { readFile } from 'node:fs/promises';
import { setPriority } from 'node:os';
import { parentPort, threadId } from 'node:worker_threads';

import { getResolvedPDFJS } from 'unpdf';

import { describe, JobError } from '../errors.js';
import { logger } from '../log.js';
import { extractPdf } from '../pdf/extract.js';
import { summarizeExtractive } from '../summarize/extractive.js';
import { chunkBounds, measureText } from '../summarize/scan.js';
import {
  toWireError,
  type Task,
  type TaskKind,
  type TaskMessage,
  type TaskResults,
  type ThreadMessage,
} from './protocol.js';

/**
 * The entry point of one pool thread. It loads pdf.js once and then serves tasks one at a time
 * for as long as the pool keeps it. A task that throws is answered with a failure; the thread
 * itself only ends when the pool terminates it (time limit, memory limit, shutdown).
 */

const log = logger('worker-thread');

if (!parentPort) throw new Error('src/worker/thread.ts must be started as a worker thread');
const port = parentPort;

// Below the main thread in the scheduler: with two cores, the thread that answers the
// homeserver must not wait behind PDF work. On Linux this renices this thread only.
try {
  setPriority(10);
} catch {
  // Not permitted (some containers): the thread keeps the default priority.
}
let busy = false;

// pdf.js can reject a promise nobody awaits while reading a broken file; that must not end the
// thread (Node's default for an unhandled rejection), only show up in the log.
process.on('unhandledRejection', (reason) => {
  log.warn('unhandled rejection in worker thread', { threadId, error: describe(reason) });
});

// Loading pdf.js takes ~50 ms; do it before announcing readiness so no task pays for it.
await getResolvedPDFJS();
port.on('message', (message: TaskMessage) => void handle(message));
post({ type: 'ready', threadId });

async function handle(message: TaskMessage): Promise<void> {
  const startedAt = Date.now();
  if (busy) {
    const error = new JobError(
      'internal',
      `worker thread ${threadId} got task ${message.id} while busy`,
    );
    post({ type: 'failure', id: message.id, error: toWireError(error), ...timing(startedAt) });
    return;
  }

  busy = true;
  try {
    const value = await run(message.task);
    post({ type: 'result', id: message.id, value, ...timing(startedAt) });
  } catch (error) {
    post({ type: 'failure', id: message.id, error: toWireError(error), ...timing(startedAt) });
  } finally {
    busy = false;
  }
}

async function run(task: Task): Promise<TaskResults[TaskKind]> {
  switch (task.kind) {
    case 'extract':
      return extractPdf(await readPdf(task.path), task.limits);
    case 'summarize':
      return summarizeExtractive(
        task.text,
        task.options as Parameters<typeof summarizeExtractive>[1],
      );
    case 'measure':
      return measureText(task.text);
    case 'split':
      return chunkBounds(task.text, task.options);
    default:
      throw new JobError('internal', `expected a task the thread knows, got ${describe(task)}`);
  }
}

/** Reads the file without copying it again; pdf.js takes a plain Uint8Array. */
async function readPdf(path: string): Promise<Uint8Array> {
  const buffer = await readFile(path);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function timing(startedAt: number): { threadId: number; startedAt: number; finishedAt: number } {
  return { threadId, startedAt, finishedAt: Date.now() };
}

function post(message: ThreadMessage): void {
  port.postMessage(message);
}
