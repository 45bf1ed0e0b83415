import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for an OpenAI-compatible server, on 127.0.0.1 only, for tests, the demo and
 * benchmarks.
 *
 * It serves `POST /v1/chat/completions` and `GET /v1/models`. Its answer is derived from the
 * request, so it is deterministic: the document (the text between `<document>` and
 * `</document>` in the last user message, or all of that message) gives the gist as the first
 * sentence of its first paragraph, and one "- " key point per following paragraph (its first
 * sentence). Every request is recorded, and faults queued in `faults` are served first, one per
 * chat completion request.
 *
 * Like a real server it counts tokens (here one per four characters of the messages), cuts an
 * answer at `max_tokens` (or `max_completion_tokens`) with `finish_reason: "length"`, and, given
 * `contextTokens`, refuses a request whose prompt plus `max_tokens` exceeds it with vLLM's 400.
 * Given `keep`, its answer is instead every sentence of the document that matches, in order, as
 * one paragraph: a model that never drops such a sentence, so that what gets lost on the way to
 * the final summary is lost by the plumbing. Otherwise it heeds an "at most about N words" in
 * the system prompt by dropping the answer's last lines.
 */

/** What to do instead of answering: an HTTP error, no answer, a dropped socket, or HTML. */
export type Fault =
  | { status: number; body?: string | object; headers?: Record<string, string> }
  | 'hang'
  | 'drop'
  | 'html200';

export interface RecordedRequest {
  method: string;
  path: string;
  /** The parsed JSON body, or the raw text if it was not JSON, or undefined if empty. */
  body: unknown;
  headers: http.IncomingHttpHeaders;
  /** `Date.now()` when the whole body had arrived. */
  receivedAt: number;
}

export interface FakeLlmServerOptions {
  /**
   * Milliseconds to wait before each answer (faults are served at once).
   * @default 0
   */
  delayMs?: number;
  /**
   * Model id listed by `GET /v1/models`, and used in answers when a request names none.
   * @default 'fake-llm'
   */
  model?: string;
  /**
   * Most key points in an answer.
   * @default 5
   */
  maxKeyPoints?: number;
  /**
   * The context in tokens: a request with more prompt tokens plus `max_tokens` gets a 400.
   * @default undefined (no limit)
   */
  contextTokens?: number;
  /**
   * Sentences to keep: when the document has any that match, the answer is all of them.
   * @default undefined (the usual answer)
   */
  keep?: RegExp;
}

const MAX_BODY_BYTES = 64 * 1024 * 1024;
const HTML_PAGE =
  '<!DOCTYPE html><html><head><title>Sign in</title></head>' +
  '<body><h1>Proxy sign-in required</h1></body></html>';

export class FakeLlmServer {
  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = [];
  /** Served before any answer, one per chat completion request, first in first out. */
  readonly faults: Fault[] = [];
  delayMs: number;
  readonly model: string;
  readonly maxKeyPoints: number;
  contextTokens: number | undefined;
  keep: RegExp | undefined;
  /** Chat completion requests being answered right now, and the most there ever were. */
  inFlight = 0;
  maxInFlight = 0;

  private readonly server = http.createServer((req, res) => this.handle(req, res));
  private readonly timers = new Set<NodeJS.Timeout>();
  private answered = 0;
  private baseUrl: string | undefined;

  constructor(options: FakeLlmServerOptions = {}) {
    this.delayMs = options.delayMs ?? 0;
    this.model = options.model ?? 'fake-llm';
    this.maxKeyPoints = options.maxKeyPoints ?? 5;
    this.contextTokens = options.contextTokens;
    this.keep = options.keep;
  }

  /** The base URL, like `http://127.0.0.1:41234/v1`. Throws before `start()`. */
  get url(): string {
    if (!this.baseUrl) throw new Error('FakeLlmServer is not started');
    return this.baseUrl;
  }

  /** Listens on a free port of 127.0.0.1 and returns the base URL. */
  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}/v1`;
    return this.baseUrl;
  }

  /** Closes every connection, hanging ones included, and stops listening. Safe to call twice. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        sendJson(res, 413, { error: { message: `body over ${MAX_BODY_BYTES} bytes` } });
        req.destroy();
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = parseBody(text);
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname.replace(/\/+$/, '');
      this.requests.push({
        method: req.method ?? '',
        path,
        body,
        headers: req.headers,
        receivedAt: Date.now(),
      });
      this.route(req.method ?? '', path, body, req, res);
    });
  }

  private route(
    method: string,
    path: string,
    body: unknown,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): void {
    if (method === 'GET' && path === '/v1/models') {
      const created = Math.floor(Date.now() / 1000);
      const model = { id: this.model, object: 'model', created, owned_by: 'fake' };
      sendJson(res, 200, { object: 'list', data: [model] });
      return;
    }
    if (method !== 'POST' || path !== '/v1/chat/completions') {
      sendJson(res, 404, { error: { message: `no route for ${method} ${path}` } });
      return;
    }

    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    res.once('close', () => this.inFlight--);
    const fault = this.faults.shift();
    if (fault !== undefined) {
      serveFault(fault, req, res);
      return;
    }
    if (typeof body !== 'object' || body === null) {
      sendJson(res, 400, { error: { message: 'expected a JSON object body' } });
      return;
    }
    const request = body as ChatRequest;
    const promptTokens = countTokens(request);
    const maxTokens = maxTokensOf(request);
    if (this.contextTokens !== undefined && promptTokens + (maxTokens ?? 0) > this.contextTokens) {
      sendJson(res, 400, {
        object: 'error',
        message:
          `This model's maximum context length is ${this.contextTokens} tokens. However, you ` +
          `requested ${promptTokens + (maxTokens ?? 0)} tokens (${promptTokens} in the ` +
          `messages, ${maxTokens ?? 0} in the completion). Please reduce the length of the ` +
          'messages or completion.',
        type: 'BadRequestError',
        param: null,
        code: 400,
      });
      return;
    }
    const answer = this.answer(request, promptTokens, maxTokens);
    if (this.delayMs <= 0) {
      sendJson(res, 200, answer);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!res.destroyed) sendJson(res, 200, answer);
    }, this.delayMs);
    this.timers.add(timer);
  }

  private answer(
    request: ChatRequest,
    promptTokens: number,
    maxTokens: number | undefined,
  ): object {
    const messages = Array.isArray(request.messages) ? request.messages : [];
    const users = messages.filter((message) => message?.role === 'user');
    const document = documentPart(textOf(users[users.length - 1]?.content));
    const kept = this.keep ? keptSentences(document, this.keep) : [];
    let answerText = kept.length > 0 ? kept.join(' ') : deriveAnswer(document, this.maxKeyPoints);
    const words = wordLimitOf(messages);
    if (kept.length === 0 && words !== undefined) answerText = withinWords(answerText, words);
    let finish = 'stop';
    if (maxTokens !== undefined && answerText.length > maxTokens * 4) {
      answerText = answerText.slice(0, maxTokens * 4);
      finish = 'length';
    }
    const completionTokens = Math.ceil(answerText.length / 4);
    this.answered++;

    return {
      id: `chatcmpl-fake-${this.answered}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: typeof request.model === 'string' ? request.model : this.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: answerText },
          finish_reason: finish,
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
    };
  }
}

interface ChatRequest {
  model?: unknown;
  messages?: Array<{ role?: unknown; content?: unknown } | null>;
  max_tokens?: unknown;
  max_completion_tokens?: unknown;
}

/** The "at most about N words" a system prompt asks for, as a compliant model would read it. */
function wordLimitOf(
  messages: Array<{ role?: unknown; content?: unknown } | null>,
): number | undefined {
  const system = messages.find((message) => message?.role === 'system');
  const found = /at most about (\d+) words/.exec(textOf(system?.content))?.[1];
  return found === undefined ? undefined : Number.parseInt(found, 10);
}

/** The answer's first lines that fit in `words` words; at least its first line. */
function withinWords(answer: string, words: number): string {
  const kept: string[] = [];
  let used = 0;
  for (const line of answer.split('\n')) {
    const count = line.split(/\s+/).filter(Boolean).length;
    if (kept.length > 0 && used + count > words) break;
    kept.push(line);
    used += count;
  }
  return kept.join('\n');
}

/** One token per four characters of every message, as the answers' `usage` reports. */
function countTokens(request: ChatRequest): number {
  const messages = Array.isArray(request.messages) ? request.messages : [];
  return Math.ceil(messages.reduce((sum, message) => sum + textOf(message?.content).length, 0) / 4);
}

function maxTokensOf(request: ChatRequest): number | undefined {
  const value = request.max_completion_tokens ?? request.max_tokens;
  return typeof value === 'number' && value > 0 ? value : undefined;
}

/** Every sentence of the document that matches `pattern`, in order, each once. */
function keptSentences(document: string, pattern: RegExp): string[] {
  const matcher = new RegExp(pattern.source, pattern.flags.replace('g', ''));
  const all = document
    .split(/\n\s*\n|\n/)
    .join(' ')
    .replace(/\s+/g, ' ')
    .split(/(?<=[.!?])\s+/u)
    .map((sentence) => sentence.trim());
  return all.filter((sentence, i) => matcher.test(sentence) && all.indexOf(sentence) === i);
}

/** The gist line, then "- " key points, all taken from the document's own sentences. */
export function deriveAnswer(document: string, maxKeyPoints: number): string {
  const paragraphs = document
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.replace(/\s+/g, ' ').trim())
    .filter((paragraph) => paragraph.length > 0);
  const firsts = paragraphs.map(firstSentence);
  let points = firsts.slice(1, 1 + maxKeyPoints);
  if (points.length === 0) points = sentences(paragraphs[0] ?? '').slice(1, 1 + maxKeyPoints);
  return [firsts[0] ?? '', ...points.map((point) => `- ${point}`)].join('\n').trim();
}

function documentPart(content: string): string {
  const open = content.indexOf('<document>');
  const close = content.lastIndexOf('</document>');
  if (open < 0 || close < open) return content;
  return content.slice(open + '<document>'.length, close);
}

function firstSentence(paragraph: string): string {
  return sentences(paragraph)[0] ?? paragraph;
}

function sentences(paragraph: string): string[] {
  return paragraph
    .split(/(?<=[.!?])\s+|(?<=[。！？])/u)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length > 0);
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: { text?: unknown }) => (typeof part?.text === 'string' ? part.text : ''))
    .join('');
}

function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function serveFault(fault: Fault, req: http.IncomingMessage, res: http.ServerResponse): void {
  if (fault === 'hang') return;
  if (fault === 'drop') {
    req.socket.destroy();
    return;
  }
  if (fault === 'html200') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(HTML_PAGE);
    return;
  }
  const body = fault.body ?? { error: { message: `injected fault ${fault.status}` } };
  if (typeof body === 'string') {
    res.writeHead(fault.status, { 'content-type': 'text/plain', ...fault.headers }).end(body);
  } else {
    sendJson(res, fault.status, body, fault.headers);
  }
}

function sendJson(
  res: http.ServerResponse,
  status: number,
  body: object,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
