/**
 * Summarizes with any OpenAI-compatible chat completions server (OpenAI, vLLM, llama.cpp,
 * Ollama, LM Studio).
 *
 * The SDK's own retries are off (`maxRetries: 0`): in openai 6.x they obey any Retry-After, even
 * an hour, and do not wake for an AbortSignal while waiting. This class retries instead, with a
 * cap on Retry-After and a wait that the job's signal interrupts. When the signal aborts, the
 * call rejects with the signal's reason if that is a JobError, else with `timed_out`.
 */
import OpenAI from 'openai';
import { JobError, describe } from '../errors.js';
import { logger, redact } from '../log.js';
import { AttemptFailure, classifyFailure } from './failures.js';
import { DEFAULT_INSTRUCTIONS, buildMessages, parseAnswer, type ChatMessage } from './prompt.js';
import { backoffMs, sleep } from './retry.js';
import { cutAtBoundary } from './truncate.js';
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
   * Requests per summary, the first included.
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
   * Characters of the document sent to the model; a longer text is cut at a paragraph or
   * sentence boundary and the model is told so.
   * @default 24000
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
   * The system prompt; `{maxKeyPoints}` in it is replaced by the number.
   * @default DEFAULT_INSTRUCTIONS from prompt.ts
   */
  instructions?: string;
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

type Settings = Required<Omit<OpenAiSummarizerOptions, 'temperature'>> & {
  temperature: number | undefined;
};

const DEFAULTS = {
  requestTimeoutMs: 180_000,
  maxAttempts: 3,
  maxRetryAfterMs: 30_000,
  maxInputChars: 24_000,
  maxKeyPoints: 5,
  instructions: DEFAULT_INSTRUCTIONS,
  backoffBaseMs: 1_000,
  backoffMaxMs: 15_000,
};

export class OpenAiSummarizer implements Summarizer {
  readonly kind = 'openai';
  private readonly settings: Settings;
  /** Host and port only, for messages: the URL's path or any credentials in it are not logged. */
  private readonly host: string;

  constructor(options: OpenAiSummarizerOptions) {
    this.settings = {
      ...DEFAULTS,
      ...definedOnly(options),
      baseUrl: options.baseUrl,
      apiKey: options.apiKey,
      model: options.model,
      temperature: options.temperature,
    };
    this.host = parseBaseUrl(options.baseUrl).host;
    if (this.settings.maxAttempts < 1) throw new Error('maxAttempts must be at least 1');
    redact(options.apiKey);
  }

  async summarize(input: SummaryInput, signal: AbortSignal): Promise<Summary> {
    const { maxInputChars, maxAttempts, maxKeyPoints, instructions } = this.settings;
    // One request per document: text beyond maxInputChars is not summarized.
    const text = cutAtBoundary(input.text, maxInputChars);
    if (text.length < input.text.length) {
      log.info('document cut to fit one request', { kept: text.length, of: input.text.length });
    }
    const messages = buildMessages(
      { text, fileName: input.fileName, pageCount: input.pageCount, fullLength: input.text.length },
      maxKeyPoints,
      instructions,
    );

    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) throw aborted(signal);
      const started = Date.now();
      let failure: AttemptFailure;
      try {
        const summary = await this.attempt(messages, signal);
        log.debug('summary received', { attempt, ms: Date.now() - started });
        return summary;
      } catch (error) {
        if (signal.aborted) throw aborted(signal);
        if (!(error instanceof AttemptFailure)) throw error;
        failure = error;
      }

      const where = `${this.host}, model ${this.settings.model}, attempt ${attempt}/${maxAttempts}`;
      const detail = this.scrub(`summarizer at ${where}: ${failure.message}`);
      const { retryAfterMs } = failure.options;
      if (!failure.retryable) {
        throw new JobError('summarizer_rejected', detail, { cause: failure });
      }
      if (attempt >= maxAttempts) {
        throw new JobError('summarizer_unavailable', detail, {
          retryAfterMs:
            retryAfterMs === undefined
              ? undefined
              : Math.min(retryAfterMs, this.settings.maxRetryAfterMs),
          cause: failure,
        });
      }

      const waitMs =
        retryAfterMs === undefined
          ? backoffMs(attempt, this.settings.backoffBaseMs, this.settings.backoffMaxMs)
          : Math.min(retryAfterMs, this.settings.maxRetryAfterMs);
      log.warn('summarizer attempt failed; retrying', { detail, waitMs });
      await sleep(waitMs, signal).catch(() => {
        throw aborted(signal);
      });
    }
  }

  /** One request. Rejects with an AttemptFailure for anything the server or network did. */
  private async attempt(messages: ChatMessage[], signal: AbortSignal): Promise<Summary> {
    let errorBody: string | undefined;
    const client = this.client(
      keepingErrorBody((body) => {
        errorBody = body;
      }),
    );

    let completion: unknown;
    try {
      completion = await client.chat.completions.create(
        {
          model: this.settings.model,
          messages,
          ...(this.settings.temperature === undefined
            ? {}
            : { temperature: this.settings.temperature }),
        },
        { signal, timeout: this.settings.requestTimeoutMs },
      );
    } catch (error) {
      throw classifyFailure(error, errorBody, this.settings.requestTimeoutMs);
    }
    return this.read(completion);
  }

  /** Checks that a 200 carried a chat completion with an answer, and parses the answer. */
  private read(completion: unknown): Summary {
    if (typeof completion !== 'object' || completion === null) {
      const got = typeof completion === 'string' ? describeText(completion) : typeof completion;
      throw new AttemptFailure(`expected a chat completion, got ${got}`, true);
    }
    const choice = (completion as { choices?: unknown }).choices;
    const first = Array.isArray(choice) ? (choice[0] as Record<string, unknown>) : undefined;
    if (!first) throw new AttemptFailure('expected a chat completion, got no choices', true);

    const finish = String(first['finish_reason'] ?? 'none');
    const content = (first['message'] as { content?: unknown } | undefined)?.content;
    const answer = typeof content === 'string' ? content : '';
    const parsed = parseAnswer(answer, this.settings.maxKeyPoints);
    if (!parsed.gist) {
      if (finish === 'content_filter') {
        throw new AttemptFailure('the answer was withheld by a content filter', false);
      }
      throw new AttemptFailure(`expected an answer, got none (finish_reason ${finish})`, true);
    }
    const usage = (completion as { usage?: Record<string, unknown> }).usage;
    log.debug('chat completion', {
      finish,
      promptTokens: numberOrUndefined(usage?.['prompt_tokens']),
      completionTokens: numberOrUndefined(usage?.['completion_tokens']),
    });
    if (finish === 'length') {
      log.warn('answer cut at the output token limit; using what arrived', {
        model: this.settings.model,
      });
    }
    return { ...parsed, producer: this.settings.model };
  }

  private client(fetchWith: typeof fetch): OpenAI {
    const keyless = this.settings.apiKey === '';
    return new OpenAI({
      baseURL: this.settings.baseUrl,
      apiKey: keyless ? 'unused' : this.settings.apiKey,
      organization: null,
      project: null,
      maxRetries: 0,
      timeout: this.settings.requestTimeoutMs,
      fetch: fetchWith,
      logLevel: 'off',
      ...(keyless ? { defaultHeaders: { Authorization: null } } : {}),
    });
  }

  private scrub(text: string): string {
    const key = this.settings.apiKey;
    return key.length >= 6 ? text.split(key).join('[redacted]') : text;
  }
}

function aborted(signal: AbortSignal): JobError {
  const reason: unknown = signal.reason;
  if (reason instanceof JobError) return reason;
  return new JobError('timed_out', `summarizer call stopped: ${describe(reason)}`, {
    cause: reason,
  });
}

function parseBaseUrl(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(`expected an http(s) base URL for the summarizer, got "${baseUrl}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`expected an http(s) base URL for the summarizer, got ${url.protocol} URL`);
  }
  return url;
}

/** A fetch that hands over the body of a non-2xx response, of which the SDK keeps only part. */
function keepingErrorBody(keep: (body: string | undefined) => void): typeof fetch {
  return async (url, init) => {
    const response = await fetch(url, init);
    if (!response.ok)
      keep(
        await response
          .clone()
          .text()
          .catch(() => undefined),
      );
    return response;
  };
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function describeText(text: string): string {
  const start = text.trim().slice(0, 40).replace(/\s+/g, ' ');
  return `${text.length} characters of text starting "${start}"`;
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
