/**
 * What went wrong with one request to an OpenAI-compatible server, and whether another attempt
 * can help.
 *
 * Retried: no connection, no answer in time, 408, 409, 429, any 5xx, and a 200 whose body is not
 * a usable chat completion (a proxy's HTML page, no choices, empty content). Not retried: every
 * other 4xx (a bad request, key, permission or model stays bad) and a content-filter refusal.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { describe } from '../errors.js';
import { retryAfterMs } from './retry.js';

const RETRYABLE_STATUS = new Set([408, 409, 429]);
const MAX_MESSAGE_CHARS = 300;

export class AttemptFailure extends Error {
  override readonly name = 'AttemptFailure';

  constructor(
    message: string,
    readonly retryable: boolean,
    readonly options: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
  }
}

/**
 * Classifies what the SDK threw. `errorBody` is the raw body of a non-2xx response: the SDK keeps
 * only `{error: {message}}`, and loses a top-level `message` (vLLM) or `detail` (FastAPI).
 */
export function classifyFailure(
  error: unknown,
  errorBody: string | undefined,
  timeoutMs: number,
): AttemptFailure {
  if (error instanceof APIConnectionTimeoutError) {
    return new AttemptFailure(`no answer within ${timeoutMs} ms`, true, { cause: error });
  }
  if (error instanceof APIConnectionError) {
    const cause = error.cause === undefined ? error : error.cause;
    return new AttemptFailure(`connection failed (${describe(cause)})`, true, { cause: error });
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const status = error.status;
    const message = serverMessage(errorBody) ?? error.message.replace(/^\d{3} /, '');
    return new AttemptFailure(`HTTP ${status}: ${message}`, isRetryableStatus(status), {
      status,
      retryAfterMs: retryAfterMs(error.headers),
      cause: error,
    });
  }
  return new AttemptFailure(`request failed (${describe(error)})`, true, { cause: error });
}

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUS.has(status) || status >= 500;
}

/** The server's own words from an error body of any common shape, shortened, as one line. */
export function serverMessage(body: string | undefined): string | undefined {
  if (body === undefined || !body.trim()) return undefined;
  let found: unknown;
  try {
    found = pickMessage(JSON.parse(body));
  } catch {
    found = body.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]*>/g, ' ');
  }
  const line = asText(found).replace(/\s+/g, ' ').trim();
  if (!line) return undefined;
  return line.length > MAX_MESSAGE_CHARS ? `${line.slice(0, MAX_MESSAGE_CHARS)}…` : line;
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}

function pickMessage(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  const error = record['error'];
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null) return pickMessage(error);
  for (const key of ['message', 'detail', 'msg', 'error_description', 'title']) {
    const found = record[key];
    if (typeof found === 'string') return found;
    if (Array.isArray(found)) return found.map((item) => asText(pickMessage(item))).join('; ');
  }
  return value;
}
