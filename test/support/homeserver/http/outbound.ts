import http from 'node:http';

export interface OutboundResponse {
  status: number;
  text: string;
}

export interface OutboundRequest {
  method: 'PUT' | 'POST';
  url: string;
  /** JSON text to send. */
  body: string;
  /** Sent as `Authorization: Bearer …`; null sends no Authorization header. */
  token: string | null;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** The appservice did not answer in time. */
export class OutboundTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'OutboundTimeoutError';
  }
}

const LOOPBACK_HOSTS = /^(127(\.\d{1,3}){3}|localhost|\[::1\])$/;

/**
 * Checks an appservice URL before anything is sent to it: this server only ever talks to
 * plain HTTP on the loopback interface. Throws, naming the URL, otherwise.
 */
export function assertLoopbackUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`appservice url: expected an absolute http URL, got "${url}"`);
  }
  if (parsed.protocol !== 'http:' || !LOOPBACK_HOSTS.test(parsed.hostname)) {
    throw new Error(
      `appservice url: expected http on 127.0.0.1, localhost or [::1], got "${url}"; ` +
        'the test homeserver sends nothing off this machine',
    );
  }
}

/** One request on a fresh connection (no keep-alive), with a deadline. */
export function sendToAppservice(request: OutboundRequest): Promise<OutboundResponse> {
  assertLoopbackUrl(request.url);
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(request.body),
  };
  if (request.token !== null) headers.Authorization = `Bearer ${request.token}`;

  return new Promise((resolve, reject) => {
    const req = http.request(
      request.url,
      { method: request.method, headers, agent: false, signal: request.signal },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    const timer = setTimeout(
      () => req.destroy(new OutboundTimeoutError(request.timeoutMs)),
      request.timeoutMs,
    );
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(request.body);
  });
}
