import { describe } from '../errors.js';

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
