/**
 * One chat completion from an OpenAI-compatible server, with the retrying done here.
 *
 * The SDK's own retries are off (`maxRetries: 0`): in openai 6.x they obey any Retry-After, even
 * an hour, and do not wake for an AbortSignal while waiting. Here a Retry-After is capped at
 * `maxRetryAfterMs`, a wait never runs past the summary's deadline, and the signal cuts any wait
 * or request short. When the signal aborts, the call rejects with the signal's reason if that is
 * a JobError, else with `timed_out`. A request too long for the model's context is not retried:
 * it rejects with a {@link ContextOverflow} so that the caller can send less.
 */
import OpenAI from 'openai';

import { JobError, describe } from '../errors.js';
import { logger } from '../log.js';
import { AttemptFailure, classifyFailure, type ContextReport } from './failures.js';
import type { Limiter } from './limiter.js';
import type { ChatMessage } from './prompt.js';
import { backoffDelay, sleep } from '../retry.js';

const log = logger('summarize/client');

export interface ClientSettings {
  baseUrl: string;
  apiKey: string;
  model: string;
  requestTimeoutMs: number;
  maxAttempts: number;
  maxRetryAfterMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  temperature: number | undefined;
}

/** What came back from one successful request. */
export interface Completion {
  /** The answer; empty only when it was cut at the token limit before any text. */
  text: string;
  /** `stop`, `length` (cut at the token limit), or whatever else the server said. */
  finish: string;
  promptTokens: number | undefined;
  completionTokens: number | undefined;
}

/** The request did not fit the model's context: send less. */
export class ContextOverflow extends Error {
  override readonly name = 'ContextOverflow';

  constructor(
    message: string,
    readonly report: ContextReport,
    /** True when the request was never sent: it stopped fitting while it waited its turn. */
    readonly local = false,
  ) {
    super(message);
  }
}

export class ModelClient {
  /** Host and port only, for messages: the URL's path or any credentials in it are not logged. */
  private readonly host: string;
  /**
   * OpenAI's reasoning models refuse `max_tokens` and ask for `max_completion_tokens`; the
   * first such refusal switches this client over for good.
   */
  private tokenField: 'max_tokens' | 'max_completion_tokens' = 'max_tokens';

  constructor(
    private readonly settings: ClientSettings,
    private readonly limiter: Limiter,
  ) {
    this.host = parseBaseUrl(settings.baseUrl).host;
    if (settings.maxAttempts < 1) throw new Error('maxAttempts must be at least 1');
  }

  /** Requests this client's limiter lets through at once, for all its users together. */
  get concurrency(): number {
    return this.limiter.limit;
  }

  /**
   * Sends `messages`, allowing `maxTokens` for the answer, and retries what another attempt can
   * fix. `deadline` (epoch milliseconds) is when the whole summary must be done: a wait that
   * would end after it is not started. `onRequest` is called as each request is about to go
   * out, once its turn has come; if it throws, nothing is sent and the call rejects with that.
   * `onOverflow` hears of a context-length error, and `onAnswer` sees each answer, before the
   * next waiting request gets its turn, so that what they teach applies to that request already;
   * `onAnswer` may reject an answer by throwing.
   */
  async complete(
    messages: ChatMessage[],
    maxTokens: number,
    signal: AbortSignal,
    options: {
      deadline?: number;
      onRequest?: () => void;
      onOverflow?: (report: ContextReport) => void;
      onAnswer?: (completion: Completion) => void;
    } = {},
  ): Promise<Completion> {
    const { maxAttempts } = this.settings;
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) throw aborted(signal);
      let failure: AttemptFailure;
      try {
        return await this.limiter.run(async () => {
          options.onRequest?.();
          try {
            const completion = await this.attempt(messages, maxTokens, signal);
            options.onAnswer?.(completion);
            return completion;
          } catch (error) {
            if (error instanceof AttemptFailure && error.context)
              options.onOverflow?.(error.context);
            throw error;
          }
        }, signal);
      } catch (error) {
        if (signal.aborted) throw aborted(signal);
        if (!(error instanceof AttemptFailure)) throw error;
        failure = error;
      }

      const where = `${this.host}, model ${this.settings.model}, attempt ${attempt}/${maxAttempts}`;
      const detail = this.scrub(`summarizer at ${where}: ${failure.message}`);
      if (failure.context) throw new ContextOverflow(detail, failure.context);
      if (this.tokenField === 'max_tokens' && /max_completion_tokens/.test(failure.message)) {
        log.info('server wants max_completion_tokens instead of max_tokens; switching');
        this.tokenField = 'max_completion_tokens';
        attempt--;
        continue;
      }

      const { retryAfterMs } = failure.options;
      const cappedRetryAfter =
        retryAfterMs === undefined
          ? undefined
          : Math.min(retryAfterMs, this.settings.maxRetryAfterMs);
      if (!failure.retryable) {
        throw new JobError('summarizer_rejected', detail, { cause: failure });
      }
      const waitMs =
        cappedRetryAfter ??
        backoffDelay(attempt, this.settings.backoffBaseMs, this.settings.backoffMaxMs);
      const pastDeadline = options.deadline !== undefined && Date.now() + waitMs > options.deadline;
      if (attempt >= maxAttempts || pastDeadline) {
        const why = pastDeadline ? ' (no time left before the summary deadline)' : '';
        throw new JobError('summarizer_unavailable', `${detail}${why}`, {
          retryAfterMs: cappedRetryAfter,
          cause: failure,
        });
      }

      log.warn('summarizer attempt failed; retrying', { detail, waitMs });
      await sleep(waitMs, signal).catch(() => {
        throw aborted(signal);
      });
    }
  }

  /** One request. Rejects with an AttemptFailure for anything the server or network did. */
  private async attempt(
    messages: ChatMessage[],
    maxTokens: number,
    signal: AbortSignal,
  ): Promise<Completion> {
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
          [this.tokenField]: maxTokens,
          ...(this.settings.temperature === undefined
            ? {}
            : { temperature: this.settings.temperature }),
        },
        { signal, timeout: this.settings.requestTimeoutMs },
      );
    } catch (error) {
      throw classifyFailure(error, errorBody, this.settings.requestTimeoutMs);
    }
    return read(completion);
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

/**
 * Checks that a 200 carried a chat completion with an answer. An empty answer is a failed
 * attempt, unless it was cut at the token limit and the usage says why (the caller judges).
 */
function read(completion: unknown): Completion {
  if (typeof completion !== 'object' || completion === null) {
    const got = typeof completion === 'string' ? describeText(completion) : typeof completion;
    throw new AttemptFailure(`expected a chat completion, got ${got}`, true);
  }
  const choices = (completion as { choices?: unknown }).choices;
  const first = Array.isArray(choices) ? (choices[0] as Record<string, unknown>) : undefined;
  if (!first) throw new AttemptFailure('expected a chat completion, got no choices', true);

  const finish = String(first['finish_reason'] ?? 'none');
  const content = (first['message'] as { content?: unknown } | undefined)?.content;
  const text = typeof content === 'string' ? content : '';
  const usage = (completion as { usage?: Record<string, unknown> }).usage;
  const promptTokens = numberOrUndefined(usage?.['prompt_tokens']);
  const completionTokens = numberOrUndefined(usage?.['completion_tokens']);
  if (!text.trim()) {
    if (finish === 'content_filter') {
      throw new AttemptFailure('the answer was withheld by a content filter', false);
    }
    if (finish !== 'length' || promptTokens === undefined) {
      throw new AttemptFailure(`expected an answer, got none (finish_reason ${finish})`, true);
    }
  }
  log.debug('chat completion', { finish, promptTokens, completionTokens });
  return { text, finish, promptTokens, completionTokens };
}

export function aborted(signal: AbortSignal): JobError {
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
