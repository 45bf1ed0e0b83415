/**
 * What went wrong with one request to an OpenAI-compatible server, and whether another attempt
 * can help.
 *
 * Retried: no connection, no answer in time, 408, 409, 429, any 5xx, and a 200 whose body is not
 * a usable chat completion (a proxy's HTML page, no choices, empty content). Not retried: every
 * other 4xx (a bad request, key, permission or model stays bad) and a content-filter refusal.
 * An error that says the request did not fit the model's context is told apart
 * ({@link AttemptFailure.context}): sending the same request again cannot help, sending less can.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { describe } from '../errors.js';
import { retryAfterMs } from '../retry.js';

const RETRYABLE_STATUS = new Set([408, 409, 429]);
const MAX_MESSAGE_CHARS = 300;

/** What a context-length error said about the limit, when it said it. */
export interface ContextReport {
  /** The model's context in tokens ("maximum context length is 8192 tokens"). */
  limit?: number;
  /** The tokens the server counted in the prompt that did not fit. */
  promptTokens?: number;
}

export class AttemptFailure extends Error {
  override readonly name = 'AttemptFailure';

  constructor(
    message: string,
    readonly retryable: boolean,
    readonly options: {
      status?: number;
      retryAfterMs?: number;
      cause?: unknown;
      /** Set when the request was too long for the model's context. */
      context?: ContextReport;
    } = {},
  ) {
    super(message, { cause: options.cause });
  }

  get context(): ContextReport | undefined {
    return this.options.context;
  }
}

/**
 * Wordings of "the prompt is longer than the context" from OpenAI, vLLM, llama.cpp, LM Studio,
 * TGI and others; the status code alone (400, 413, sometimes 500) does not tell it apart.
 */
const CONTEXT_ERROR = new RegExp(
  [
    'context[ _-]?(?:length|window|size)',
    'maximum context',
    'too many tokens',
    'token limit',
    'prompt is too long',
    'input is too (?:large|long)',
    'tokens? \\+ `?max_new_tokens',
    'exceeds? (?:the )?(?:available |maximum )?(?:context|tokens)',
  ].join('|'),
  'i',
);
const LIMIT_PATTERNS = [
  /maximum context length is (\d+)/i,
  /context (?:length|size|window) (?:of|is) (?:only )?(\d+)/i,
  /"?n_ctx"?\s*[:=]\s*(\d+)/i,
  /must be <= (\d+)/i,
  /> (\d+) maximum/i,
];
const PROMPT_PATTERNS = [
  /(\d+) (?:tokens )?in the messages/i,
  /"?n_prompt_tokens"?\s*[:=]\s*(\d+)/i,
  /given: (\d+) `?inputs`? tokens/i,
  /prompt is too long: (\d+)/i,
  /keep the first (\d+) tokens/i,
];

/** What a server's error text says about its context, or undefined if it is not about that. */
export function contextReport(text: string): ContextReport | undefined {
  if (!CONTEXT_ERROR.test(text)) return undefined;
  const report: ContextReport = {};
  const limit = firstNumber(text, LIMIT_PATTERNS);
  const promptTokens = firstNumber(text, PROMPT_PATTERNS);
  if (limit !== undefined) report.limit = limit;
  if (promptTokens !== undefined) report.promptTokens = promptTokens;
  return report;
}

function firstNumber(text: string, patterns: RegExp[]): number | undefined {
  for (const pattern of patterns) {
    const found = pattern.exec(text)?.[1];
    if (found !== undefined) return Number.parseInt(found, 10);
  }
  return undefined;
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
    const context = status === 429 ? undefined : contextReport(`${message}\n${errorBody ?? ''}`);
    return new AttemptFailure(
      `HTTP ${status}: ${message}`,
      context === undefined && isRetryableStatus(status),
      { status, retryAfterMs: retryAfterMs(error.headers), cause: error, context },
    );
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
