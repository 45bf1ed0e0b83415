import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the fake appservice received from the homeserver. */
export interface ReceivedRequest {
  method: string;
  path: string;
  authorization?: string;
  /** The body exactly as sent. */
  text: string;
  /** The body parsed as JSON, or undefined. */
  body: unknown;
}

export interface FakeAnswer {
  status: number;
  body?: unknown;
}

/** Chooses the answer to one request; may wait (for held-answer tests). */
export type FakeHandler = (request: ReceivedRequest) => FakeAnswer | Promise<FakeAnswer>;

/**
 * A stand-in appservice on 127.0.0.1 for testing the homeserver itself: it records every
 * request and answers with `handler` (by default 200 `{}`).
 */
export class FakeAppservice {
  readonly received: ReceivedRequest[] = [];
  handler: FakeHandler = () => ({ status: 200, body: {} });
  private readonly server = http.createServer((req, res) => void this.serve(req, res));

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Requests whose path starts with the prefix. */
  requestsTo(prefix: string): ReceivedRequest[] {
    return this.received.filter((r) => r.path.startsWith(prefix));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const request: ReceivedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      authorization: req.headers.authorization,
      text,
      body,
    };
    this.received.push(request);

    const answer = await this.handler(request);
    const json = JSON.stringify(answer.body ?? {});
    res.writeHead(answer.status, { 'Content-Type': 'application/json' });
    res.end(json);
  }
}
