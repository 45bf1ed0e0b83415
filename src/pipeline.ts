import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';

import { JobError, toJobError, userMessageFor } from './errors.js';
import { formatBytes } from './format.js';
import { logger } from './log.js';
import type { ExtractLimits, ExtractedDocument } from './pdf/types.js';
import type { Job } from './queue/jobs.js';
import type { AnalysisResult, SummaryResult } from './queue/result.js';
import type { Summarizer, Summary, SummaryInput } from './summarize/types.js';

const log = logger('Pipeline');

export interface PipelineDeps {
  /** Fetches the upload to `destination`; resolves with the file's SHA-256 (hex). */
  download(job: Job, destination: string, signal: AbortSignal): Promise<{ sha256: string }>;
  extract(file: string, limits: ExtractLimits, signal: AbortSignal): Promise<ExtractedDocument>;
  summarizer: Summarizer;
  /** Names the summarizer settings; with the file's hash it keys stored summaries. */
  summarizerFingerprint: string;
  /** A stored summary of the same bytes under the same settings, if any. */
  storedSummary(key: string): SummaryResult | undefined;
  /** The room's own instructions and language, where its moderators set them. */
  roomSettings(roomId: string): { instructions?: string; language?: string };
  /** Stands in on the last attempt when the main summarizer is unavailable. */
  fallback: Summarizer | undefined;
  /** More analyses by other models or prompts, each posted as a reply of its own. */
  analyses: ReadonlyArray<{ name: string; summarizer: Summarizer }>;
  downloadDir: string;
  limits: ExtractLimits & { maxFileBytes: number };
}

export interface PipelineContext {
  signal: AbortSignal;
  /** True on the job's last allowed attempt: the fallback may then stand in. */
  lastAttempt: boolean;
  /** Filled with the milliseconds each stage took, for the job's outcome line. */
  timings: Record<string, number>;
  /** Set to the key the summary is stored under, so a later identical upload can reuse it. */
  summaryKey?: string;
}

/**
 * The work of one job: fetch the upload, read it in a worker, summarize it. Returns the summary
 * to store; throws a JobError (retryable or not) for the runner to handle. The downloaded file
 * is removed whatever happens.
 */
export async function summarizeUpload(
  job: Job,
  deps: PipelineDeps,
  context: PipelineContext,
): Promise<SummaryResult> {
  if (!job.mxcUrl) throw new JobError('bad_upload', `job ${job.id} has no valid mxc URI`);
  if (job.declaredSize !== null && job.declaredSize > deps.limits.maxFileBytes) {
    const limit = formatBytes(deps.limits.maxFileBytes);
    throw new JobError(
      'too_large',
      `upload declares ${job.declaredSize} bytes; the limit is ${deps.limits.maxFileBytes}`,
      { userMessage: `This file is larger than ${limit}, the most I can summarize.` },
    );
  }

  const file = path.join(deps.downloadDir, `job-${job.id}.pdf`);
  const stage = stageTimer(job, context.timings);
  try {
    const { sha256 } = await deps.download(job, file, context.signal);
    stage('download');
    const settings = deps.roomSettings(job.roomId);
    const key = `${sha256}:${deps.summarizerFingerprint}:${settingsDigest(settings)}`;
    const stored = deps.storedSummary(key);
    if (stored) {
      stage('reuse');
      context.summaryKey = key;
      return { ...stored, fellBack: false };
    }
    log.debug('stage started', { job: job.id, attempt: job.attempts, stage: 'extract' });
    const document = await deps.extract(file, deps.limits, context.signal);
    // What clean-up removed, as counts only: the log never holds document text.
    const { removed } = document;
    stage('extract', {
      pages: document.pageCount,
      chars: document.text.length,
      removed_heads: removed.repeatedLines,
      removed_page_numbers: removed.pageNumbers,
      removed_stamps: removed.stampLines,
      removed_junk_lines: removed.junkLines,
      removed_controls: removed.controlChars,
    });
    await rm(file, { force: true });

    const text = withFormFields(document);
    const input = { text, fileName: job.fileName, pageCount: document.pageCount, ...settings };
    const { summary, fellBack } = await summarizeWithFallback(input, deps, context);
    stage('summarize', {
      producer: summary.producer,
      language: summary.language ?? 'unknown',
      model_requests: summary.usage?.requests ?? 0,
      parts: summary.usage?.parts ?? 0,
    });
    const analyses = await Promise.all(
      deps.analyses.map((analysis) => analyse(analysis, input, context.signal)),
    );
    if (deps.analyses.length > 0) stage('analyses', { count: analyses.length });
    // A stand-in summary is not kept for reuse: the next upload should get the real one.
    if (!fellBack) context.summaryKey = key;
    return {
      kind: 'summary',
      pageCount: document.pageCount,
      pagesRead: document.pagesRead,
      formFields: document.formFields,
      failedPages: document.failedPages.length,
      truncated: document.truncated,
      garbled: document.garbled,
      gist: summary.gist,
      keyPoints: summary.keyPoints,
      producer: summary.producer,
      fellBack,
      analyses,
    };
  } finally {
    await rm(file, { force: true });
  }
}

/**
 * One extra analysis. Its failure does not fail the job: the summary is still worth posting,
 * and the reply for this analysis says it could not be made.
 */
async function analyse(
  analysis: { name: string; summarizer: Summarizer },
  input: SummaryInput,
  signal: AbortSignal,
): Promise<AnalysisResult> {
  try {
    const result = await analysis.summarizer.summarize(input, signal);
    return { name: analysis.name, ...result };
  } catch (error) {
    const cause = toJobError(error);
    log.warn('analysis failed', { analysis: analysis.name, cause: cause.message });
    const failure = cause.code === 'internal' ? userMessageFor('internal') : cause.userMessage;
    return { name: analysis.name, gist: '', keyPoints: [], producer: '', failure };
  }
}

/** A short digest of a room's settings, part of the key a summary is stored under. */
function settingsDigest(settings: { instructions?: string; language?: string }): string {
  if (!settings.instructions && !settings.language) return 'default';
  const text = JSON.stringify([settings.instructions ?? '', settings.language ?? '']);
  return createHash('sha256').update(text).digest('base64url').slice(0, 12);
}

async function summarizeWithFallback(
  input: SummaryInput,
  deps: PipelineDeps,
  context: PipelineContext,
): Promise<{ summary: Summary; fellBack: boolean }> {
  try {
    return { summary: await deps.summarizer.summarize(input, context.signal), fellBack: false };
  } catch (error) {
    if (!(error instanceof JobError) || !deps.fallback) throw error;
    // A refusal (bad key, unknown model) will not change on retry: fall back at once. An
    // outage might end: fall back only when no attempt is left.
    const refused = error.code === 'summarizer_rejected';
    const unavailable = error.code === 'summarizer_unavailable' && context.lastAttempt;
    if (!refused && !unavailable) throw error;
    const fields = { cause: error.message };
    if (refused) log.error('summarizer refused the request; using the built-in one', fields);
    else log.warn('summarizer unavailable on the last attempt; using the built-in one', fields);
    return { summary: await deps.fallback.summarize(input, context.signal), fellBack: true };
  }
}

/** Form values are part of the content: they go after the page text. */
export function withFormFields(document: ExtractedDocument): string {
  if (document.formFields.length === 0) return document.text;
  return `${document.text}\n\nForm fields:\n${document.formFields.join('\n')}`;
}

/** Logs each stage's end and records how long it took. */
function stageTimer(job: Job, timings: Record<string, number>) {
  let last = performance.now();
  return (stage: string, fields: Record<string, string | number> = {}) => {
    const now = performance.now();
    const ms = Math.round(now - last);
    timings[`${stage}_ms`] = ms;
    log.debug('stage done', { job: job.id, attempt: job.attempts, stage, ms, ...fields });
    last = now;
  };
}
