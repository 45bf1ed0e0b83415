import { JobError, toJobError, type FailureCode } from '../errors.js';
import type { ExtractedDocument, ExtractLimits } from '../pdf/types.js';
import type { ChunkOptions } from '../summarize/chunk.js';
import type { summarizeExtractive } from '../summarize/extractive.js';
import type { ChunkBounds, TextMeasure } from '../summarize/scan.js';

/**
 * The messages between the pool (main thread) and a worker thread.
 *
 * A thread posts `ready` once its libraries are loaded, then receives one `task` at a time and
 * answers each with exactly one `result` or `failure` carrying the same id. Everything is
 * structured-cloned. PDF bytes never cross: the thread reads the file from disk itself, so the
 * main thread never holds a document in memory.
 */

/** Read the PDF at `path` and return its text. */
export interface ExtractTask {
  kind: 'extract';
  path: string;
  limits: ExtractLimits;
}

/** Run the built-in extractive summarizer; `options` are its `ExtractiveOptions`. */
export interface SummarizeTask {
  kind: 'summarize';
  text: string;
  options: unknown;
}

/** Estimate the tokens of `text` and detect its language (see summarize/scan.ts). */
export interface MeasureTask {
  kind: 'measure';
  text: string;
}

/** Cut `text` into parts for the model; only the parts' bounds come back. */
export interface SplitTask {
  kind: 'split';
  text: string;
  options: ChunkOptions;
}

export type Task = ExtractTask | SummarizeTask | MeasureTask | SplitTask;
export type TaskKind = Task['kind'];
export type TaskOf<K extends TaskKind> = Extract<Task, { kind: K }>;

export type ExtractiveSummary = ReturnType<typeof summarizeExtractive>;

/** What each kind of task gives back. */
export interface TaskResults {
  extract: ExtractedDocument;
  summarize: ExtractiveSummary;
  measure: TextMeasure;
  split: ChunkBounds[];
}

/** Pool → thread. */
export interface TaskMessage {
  type: 'task';
  id: number;
  task: Task;
}

/** When and where a task ran, as the thread saw it (epoch milliseconds). */
export interface TaskTiming {
  threadId: number;
  startedAt: number;
  finishedAt: number;
}

/** Thread → pool. */
export type ThreadMessage =
  | { type: 'ready'; threadId: number }
  | ({ type: 'result'; id: number; value: TaskResults[TaskKind] } & TaskTiming)
  | ({ type: 'failure'; id: number; error: WireError } & TaskTiming);

/** A JobError flattened for postMessage, which would drop its class and code. */
export interface WireError {
  code: FailureCode;
  message: string;
  userMessage: string;
}

export function toWireError(error: unknown): WireError {
  const job = toJobError(error);
  return { code: job.code, message: job.message, userMessage: job.userMessage };
}

export function fromWireError(wire: WireError): JobError {
  return new JobError(wire.code, wire.message, { userMessage: wire.userMessage });
}
