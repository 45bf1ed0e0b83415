/**
 * Messages between the benchmark and the pool probe (pool-probe.ts), a child process that
 * holds nothing but the project's WorkerPool, so that its memory is the pool's.
 */

export type ProbeRequest =
  | { type: 'start'; size: number }
  | { type: 'extract'; file: string; repeat: number }
  /** All files handed to the pool at once; answered with the wall time until the last. */
  | { type: 'batch'; files: string[] }
  /** The same fixed JavaScript loop in `threads` plain worker threads at once: raw CPU. */
  | { type: 'spin'; threads: number }
  /** Page text before clean-up, read on the probe's main thread: a diagnostic, not timed. */
  | { type: 'raw'; file: string }
  | { type: 'stop' };

export interface ExtractReport {
  type: 'extracted';
  file: string;
  /** Milliseconds of each repetition, from `pool.extract` to its result. */
  ms: number[];
  /** Process RSS just before the first repetition, and its peak (VmHWM) during it, in MB. */
  rssBeforeMb: number;
  peakMb: number;
  chars: number;
  pageCount: number;
  /** What the project's clean-up removed, and other reasons the text may differ. */
  notes: string[];
  /** The JobError code and message when the project refused the file. */
  error?: string;
}

export type ProbeReply =
  | { type: 'started'; baselineMb: number; startedMb: number }
  | ExtractReport
  | { type: 'raw'; chars: number }
  /** Wall time, and CPU time of the whole process (every thread) over it. */
  | { type: 'batch'; ms: number; cpuMs: number }
  | { type: 'spin'; ms: number }
  | { type: 'failed'; message: string };
