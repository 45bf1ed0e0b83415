/**
 * Summarizes with any OpenAI-compatible chat completions server (OpenAI, vLLM, llama.cpp,
 * Ollama, LM Studio), documents of any length.
 *
 * A document that fits the model's context goes in one request; a longer one is cut on its
 * structure into parts whose notes are merged until one request writes the summary
 * ({@link SummaryRun}). Requests are retried with capped waits ({@link ModelClient}); at most
 * `concurrency` are in flight at once across all summaries of this summarizer; the whole summary
 * ends by `summaryTimeoutMs` or when the caller's signal aborts. The model is asked to write in
 * the document's own language unless `language` says otherwise.
 */
import { setMaxListeners } from 'node:events';

import { JobError } from '../errors.js';
import { logger, redact } from '../log.js';
import { ContextOverflow, ModelClient } from './client.js';
import { languageName } from './language.js';
import { Limiter } from './limiter.js';
import { DEFAULT_INSTRUCTIONS, parseAnswer, type PromptSettings } from './prompt.js';
import { SummaryRun } from './run.js';
import { inProcessScanner, type TextScanner } from './scan.js';
import type { Summarizer, Summary, SummaryInput } from './types.js';

const log = logger('summarize/openai');

export interface OpenAiSummarizerOptions {
  /** Base URL of the API, e.g. `http://127.0.0.1:8080/v1`. Required: there is no default. */
  baseUrl: string;
  /** Sent as a bearer token. An empty string sends no Authorization header (local servers). */
  apiKey: string;
  /** Model name sent with each request; also the summary's `producer`. */
  model: string;
  /**
   * Longest wait for one answer, in milliseconds, before the attempt counts as failed.
   * @default 180000
   */
  requestTimeoutMs?: number;
  /**
   * Longest time for a whole summary, all requests and waits included, in milliseconds; the
   * signal given to `summarize` can end it sooner. A retry whose wait would end later is not
   * started.
   * @default 900000
   */
  summaryTimeoutMs?: number;
  /**
   * Requests per call to the model, the first included.
   * @default 3
   */
  maxAttempts?: number;
  /**
   * Longest wait the server's `Retry-After` may impose, in milliseconds: between attempts here,
   * and as the `retryAfterMs` reported when attempts run out (the job's next try waits no
   * longer than this either).
   * @default 30000
   */
  maxRetryAfterMs?: number;
  /**
   * The model's context window in tokens: prompt and answer together never exceed it (by a
   * rough estimate; a server that says otherwise gets less text). Set it to what the server
   * really runs with, e.g. Ollama's `num_ctx`.
   * @default 8192
   */
  contextTokens?: number;
  /**
   * Share of the context kept for the answer, sent as `max_tokens` (0.05–0.75).
   * @default 0.25
   */
  answerShare?: number;
  /**
   * Most tokens for the answer, whatever the share: servers refuse a `max_tokens` above the
   * model's own output limit (often 4,096–16,384), which a share of a large context can exceed.
   * @default 4096
   */
  maxAnswerTokens?: number;
  /**
   * Tokens of document per part when a document does not fit one request; lowered to fit the
   * context if needed.
   * @default 3000
   */
  chunkTokens?: number;
  /**
   * Requests in flight at once, across all summaries of this summarizer.
   * @default 2
   */
  concurrency?: number;
  /**
   * A limiter to share with other summarizers that use the same server (a second model or
   * prompt), so that `concurrency` holds for all of them together; replaces `concurrency`.
   * @default a limiter of this summarizer's own
   */
  limiter?: Limiter;
  /**
   * Where the passes over the whole text run (token estimate, language, cut into parts): the
   * bridge gives its worker pool, so that a long document does not hold up its main thread.
   * @default the calling thread
   */
  scanner?: TextScanner;
  /**
   * Most characters of document in one request, on top of the token budget.
   * @default undefined (only `contextTokens` limits a request)
   */
  maxInputChars?: number;
  /**
   * Most key points asked for and kept.
   * @default 5
   */
  maxKeyPoints?: number;
  /**
   * Sampling temperature.
   * @default undefined (not sent: the server's default applies)
   */
  temperature?: number;
  /**
   * The instructions for the summary (system prompt); `{maxKeyPoints}` in them is replaced by
   * the number. A summary's own `instructions` replace them.
   * @default DEFAULT_INSTRUCTIONS from prompt.ts
   */
  instructions?: string;
  /**
   * The language to write in: "auto" for the document's own (detected), "none" to say nothing
   * about language (for instructions that settle it), or an ISO 639-1 code or English name.
   * A summary's own `language` replaces it.
   * @default 'auto'
   */
  language?: string;
  /**
   * First backoff between attempts, in milliseconds, when the server gives no Retry-After;
   * it doubles at each attempt, with jitter.
   * @default 1000
   */
  backoffBaseMs?: number;
  /**
   * Longest backoff between attempts, in milliseconds.
   * @default 15000
   */
  backoffMaxMs?: number;
}

type Settings = Required<
  Omit<OpenAiSummarizerOptions, 'temperature' | 'maxInputChars' | 'limiter' | 'scanner'>
> & {
  temperature: number | undefined;
  maxInputChars: number | undefined;
};

const DEFAULTS = {
  requestTimeoutMs: 180_000,
  summaryTimeoutMs: 900_000,
  maxAttempts: 3,
  maxRetryAfterMs: 30_000,
  contextTokens: 8192,
  answerShare: 0.25,
  maxAnswerTokens: 4096,
  chunkTokens: 3000,
  concurrency: 2,
  maxKeyPoints: 5,
  instructions: DEFAULT_INSTRUCTIONS,
  language: 'auto',
  backoffBaseMs: 1_000,
  backoffMaxMs: 15_000,
};

export class OpenAiSummarizer implements Summarizer {
  readonly kind = 'openai';
  private readonly settings: Settings;
  private readonly client: ModelClient;
  private readonly scanner: TextScanner;

  constructor(options: OpenAiSummarizerOptions) {
    const { limiter, scanner, ...rest } = options;
    this.settings = {
      ...DEFAULTS,
      ...definedOnly(rest),
      baseUrl: options.baseUrl,
      apiKey: options.apiKey,
      model: options.model,
      temperature: options.temperature,
      maxInputChars: options.maxInputChars,
    };
    checkSettings(this.settings);
    this.client = new ModelClient(this.settings, limiter ?? new Limiter(this.settings.concurrency));
    this.scanner = scanner ?? inProcessScanner;
    redact(options.apiKey);
  }

  async summarize(input: SummaryInput, signal: AbortSignal): Promise<Summary> {
    const measured = await this.scanner.measure(input.text, signal);
    const detected = measured.language;
    const prompts: PromptSettings = {
      fileName: input.fileName,
      pageCount: input.pageCount,
      maxKeyPoints: this.settings.maxKeyPoints,
      instructions: input.instructions?.trim() || this.settings.instructions,
      language: writingLanguage(input.language ?? this.settings.language, detected?.name),
    };

    const stop = new AbortController();
    const timer = setTimeout(() => {
      const ms = this.settings.summaryTimeoutMs;
      stop.abort(new JobError('timed_out', `summary not finished within ${ms} ms`));
    }, this.settings.summaryTimeoutMs);
    timer.unref();
    const runSignal = AbortSignal.any([signal, stop.signal]);
    // Every request and every request waiting for its turn listens: a long document has many.
    setMaxListeners(0, runSignal);
    const run = new SummaryRun(
      this.client,
      this.scanner,
      prompts,
      {
        contextTokens: this.settings.contextTokens,
        answerShare: this.settings.answerShare,
        maxAnswerTokens: this.settings.maxAnswerTokens,
        chunkTokens: this.settings.chunkTokens,
        maxInputChars: this.settings.maxInputChars,
      },
      runSignal,
      Date.now() + this.settings.summaryTimeoutMs,
    );

    let answer: string;
    try {
      answer = await run.run(input.text, measured.weight);
    } catch (error) {
      // Requests still in flight for other parts are not needed any more.
      stop.abort(error);
      if (error instanceof ContextOverflow) {
        throw new JobError('summarizer_rejected', error.message, { cause: error });
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }

    const { requests, parts, documentTokens, chunkTokens, splits } = run.stats;
    log.debug('summary received', { requests, parts, documentTokens, chunkTokens, splits });
    const parsed = parseAnswer(answer, this.settings.maxKeyPoints);
    if (!parsed.gist) {
      throw new JobError(
        'summarizer_unavailable',
        'expected a summary, got an answer without text',
      );
    }
    return {
      ...parsed,
      producer: this.settings.model,
      ...(detected ? { language: detected.code } : {}),
      usage: { requests, parts, documentTokens, chunkTokens },
    };
  }
}

/** The language line's value: a setting of "auto" follows the document, "none" says nothing. */
function writingLanguage(setting: string, detected: string | undefined): string | undefined {
  const value = setting.trim();
  if (value === '' || value.toLowerCase() === 'none') return undefined;
  if (value.toLowerCase() === 'auto') return detected;
  return languageName(value);
}

function checkSettings(settings: Settings): void {
  const check = (ok: boolean, what: string, value: number): void => {
    if (!ok) throw new RangeError(`expected ${what}, got ${value}`);
  };
  check(settings.maxAttempts >= 1, 'maxAttempts of at least 1', settings.maxAttempts);
  check(settings.contextTokens >= 512, 'contextTokens of at least 512', settings.contextTokens);
  check(
    settings.answerShare >= 0.05 && settings.answerShare <= 0.75,
    'answerShare between 0.05 and 0.75',
    settings.answerShare,
  );
  check(settings.chunkTokens >= 256, 'chunkTokens of at least 256', settings.chunkTokens);
  check(settings.maxAnswerTokens >= 64, 'maxAnswerTokens of at least 64', settings.maxAnswerTokens);
  check(settings.summaryTimeoutMs > 0, 'a positive summaryTimeoutMs', settings.summaryTimeoutMs);
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
