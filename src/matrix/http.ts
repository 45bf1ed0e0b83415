import http from 'node:http';
import https from 'node:https';

import { retryAfterMs } from '../retry.js';
import type { RequestClient } from './sender.js';

/** Largest answer read; the client-server calls the bot makes answer in a few kilobytes. */
const MAX_ANSWER_BYTES = 1024 * 1024;

export interface HomeserverHttpOptions {
  /** Connections kept open to the homeserver; more requests wait for one. @default 8 */
  maxSockets?: number;
  /** Longest wait for one answer, in milliseconds. @default 60000 */
  timeoutMs?: number;
}

/** A homeserver's refusal: its status, and the Matrix error body when it sent one. */
export class HomeserverError extends Error {
  override readonly name = 'HomeserverError';
  readonly errcode: string | undefined;
  readonly error: string | undefined;
  readonly retryAfterMs: number | undefined;

  /** `retryAfter`: the wait the answer's headers ask for; `retry_after_ms` in the body wins. */
  constructor(
    readonly statusCode: number,
    readonly body: Record<string, unknown>,
    retryAfter: number | undefined,
  ) {
    const errcode = typeof body.errcode === 'string' ? body.errcode : undefined;
    super(`homeserver answered ${statusCode}${errcode ? ` ${errcode}` : ''}`);
    this.errcode = errcode;
    this.error = typeof body.error === 'string' ? body.error : undefined;
    const fromBody = typeof body.retry_after_ms === 'number' ? body.retry_after_ms : undefined;
    this.retryAfterMs = fromBody ?? retryAfter;
  }
}

/**
 * The bot's client-server calls (replies, joins, power levels) over a few kept-alive
 * connections. A burst of uploads makes one reply each; the bot-sdk's client builds each request
 * through the `request` library, which costs the main thread about ten times as much per call,
 * time in which the next transaction from the homeserver waits unanswered.
 *
 * Requests are made as the appservice's bot user (its `as_token`, no `user_id`), JSON in and
 * out; a non-2xx answer rejects with a {@link HomeserverError}, a network fault or timeout with
 * the socket's error.
 */
export class HomeserverHttp implements RequestClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly timeoutMs: number;

  constructor(
    baseUrl: string,
    private readonly accessToken: string,
    options: HomeserverHttpOptions = {},
  ) {
    this.base = new URL(baseUrl);
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 8 };
    this.agent =
      this.base.protocol === 'https:'
        ? new https.Agent(agentOptions)
        : new http.Agent(agentOptions);
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  doRequest(method: string, path: string, qs?: unknown, body?: unknown): Promise<unknown> {
    const url = new URL(this.base.pathname.replace(/\/$/, '') + path, this.base);
    if (qs && typeof qs === 'object') {
      for (const [key, value] of Object.entries(qs)) {
        if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
      }
    }
    const payload = body === undefined || body === null ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { Authorization: `Bearer ${this.accessToken}` };
    if (payload !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const request = this.base.protocol === 'https:' ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const outgoing = request(url, { method, headers, agent: this.agent }, (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) {
            outgoing.destroy(new Error(`homeserver answer over ${MAX_ANSWER_BYTES} bytes`));
          } else chunks.push(chunk);
        });
        response.on('error', reject);
        response.on('end', () => {
          const parsed = parseJson(Buffer.concat(chunks).toString('utf8'));
          const status = response.statusCode ?? 0;
          const retryAfter = retryAfterMs({ get: (name) => header(response, name) });
          if (status < 200 || status >= 300) {
            reject(new HomeserverError(status, parsed ?? {}, retryAfter));
          } else if (parsed) {
            resolve(parsed);
          } else {
            // A proxy's page in front of the homeserver, not the homeserver's answer.
            const type = response.headers['content-type'] ?? 'none';
            const body = { error: `answer ${status} was not a JSON object (content type ${type})` };
            reject(new HomeserverError(502, body, retryAfter));
          }
        });
      });
      // A whole deadline, not a silence timer: a server that trickles bytes still ends.
      const deadline = setTimeout(() => {
        outgoing.destroy(new Error(`no answer from the homeserver within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      outgoing.on('close', () => clearTimeout(deadline));
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}

/** The body as a JSON object; `{}` when empty; undefined when it is anything else. */
function parseJson(text: string): Record<string, unknown> | undefined {
  if (!text.trim()) return {};
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** One header of an answer, joined when it came more than once. */
function header(response: http.IncomingMessage, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
