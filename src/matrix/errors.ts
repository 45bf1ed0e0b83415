import { describe } from '../errors.js';
import { logger } from '../log.js';
import { backoffDelay, sleep } from '../retry.js';

const log = logger('Homeserver');

/** What went wrong in a call to the homeserver, read from whatever the client library threw. */
export interface MatrixFailure {
  /** HTTP status, or undefined for network errors and timeouts. */
  status: number | undefined;
  errcode: string | undefined;
  /** How long the server asked us to wait (429), in ms. */
  retryAfterMs: number | undefined;
  /** Whether trying the same request again later can succeed. */
  transient: boolean;
  detail: string;
}

/**
 * The bot-sdk throws a MatrixError for JSON errors, the raw response object for other HTTP
 * errors, and plain Errors for network faults. This reads all three.
 */
export function readMatrixFailure(error: unknown): MatrixFailure {
  const e = (error ?? {}) as Record<string, unknown>;
  const body = (typeof e.body === 'object' && e.body !== null ? e.body : {}) as Record<
    string,
    unknown
  >;
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const errcode =
    typeof e.errcode === 'string'
      ? e.errcode
      : typeof body.errcode === 'string'
        ? body.errcode
        : undefined;
  const retryAfter =
    typeof e.retryAfterMs === 'number'
      ? e.retryAfterMs
      : typeof body.retry_after_ms === 'number'
        ? body.retry_after_ms
        : undefined;
  const transient =
    status === undefined || status === 429 || status >= 500 || errcode === 'M_LIMIT_EXCEEDED';
  const detail =
    status === undefined
      ? describe(error)
      : [`HTTP ${status}`, errcode, typeof e.error === 'string' ? `(${e.error})` : undefined]
          .filter(Boolean)
          .join(' ');
  return { status, errcode, retryAfterMs: retryAfter, transient, detail };
}

export interface RetryOptions {
  /** Tries in all, the first included. @default 5 */
  maxAttempts?: number;
  /** First backoff when the server names no wait; it doubles each try. @default 500 */
  initialDelayMs?: number;
  /** Longest wait between tries, whatever the server asks. @default 30000 */
  maxDelayMs?: number;
  /** Ends the waiting: the call then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Names the call in the log. */
  what: string;
}

/**
 * Calls the homeserver until it answers, retrying what another try can fix (429, 5xx, network
 * faults) with backoff or the wait the server asked for, capped; anything else is thrown at once.
 */
export async function retryTransient<T>(call: () => Promise<T>, options: RetryOptions): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 5;
  const initialDelayMs = options.initialDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const failure = readMatrixFailure(error);
      if (!failure.transient || attempt >= maxAttempts || options.signal?.aborted) throw error;
      const delay = Math.min(
        maxDelayMs,
        failure.retryAfterMs ?? backoffDelay(attempt, initialDelayMs, maxDelayMs),
      );
      log.warn('homeserver call failed, retrying', {
        call: options.what,
        attempt,
        delay_ms: delay,
        cause: failure.detail,
      });
      await sleep(delay, options.signal);
    }
  }
}
