import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { readMatrixFailure, retryTransient } from '../src/matrix/errors.js';
import { HomeserverError, HomeserverHttp } from '../src/matrix/http.js';

type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

/** A loopback server whose answer each test sets; it records what it was asked. */
class ScriptedServer {
  handler: Handler = (_request, response) => response.end('{}');
  readonly seen: Array<{ method: string; url: string; authorization: string; body: string }> = [];
  private readonly server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      this.seen.push({
        method: request.method ?? '',
        url: request.url ?? '',
        authorization: request.headers.authorization ?? '',
        body,
      });
      this.handler(request, response);
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

async function failureOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => assert.fail('expected the call to reject'),
    (reason: unknown) => reason,
  );
  return readMatrixFailure(error);
}

describe('HomeserverHttp', () => {
  let server: ScriptedServer;
  let base: string;
  let client: HomeserverHttp;

  beforeEach(async () => {
    server = new ScriptedServer();
    base = await server.start();
    client = new HomeserverHttp(`${base}/prefix/`, 'secret-token', { timeoutMs: 500 });
  });
  afterEach(async () => {
    client.close();
    await server.stop();
  });

  it('sends JSON as the bot under the URL path prefix, and returns the JSON answer', async () => {
    server.handler = (_request, response) => response.end('{"event_id":"$e"}');
    const answer = await client.doRequest('PUT', '/_matrix/client/v3/x', { a: 'b c' }, { n: 1 });

    assert.deepEqual(answer, { event_id: '$e' });
    assert.deepEqual(server.seen, [
      {
        method: 'PUT',
        url: '/prefix/_matrix/client/v3/x?a=b+c',
        authorization: 'Bearer secret-token',
        body: '{"n":1}',
      },
    ]);
  });

  it('reads a rate limit from the body or from Retry-After in seconds or as a date', async () => {
    const answers: Array<[Record<string, string>, string]> = [
      [{}, '{"errcode":"M_LIMIT_EXCEEDED","retry_after_ms":1234}'],
      [{ 'Retry-After': '7' }, '{"errcode":"M_LIMIT_EXCEEDED"}'],
      [{ 'Retry-After': new Date(Date.now() + 60_000).toUTCString() }, '{}'],
    ];
    const failures = [];
    for (const [headers, body] of answers) {
      server.handler = (_request, response) => response.writeHead(429, headers).end(body);
      failures.push(await failureOf(client.doRequest('GET', '/x')));
    }

    assert.equal(failures[0]?.retryAfterMs, 1234);
    assert.equal(failures[1]?.retryAfterMs, 7000);
    const fromDate = failures[2]?.retryAfterMs ?? 0;
    assert.ok(fromDate > 55_000 && fromDate <= 60_000, `from the date: ${fromDate} ms`);
    assert.ok(failures.every((failure) => failure.transient && failure.status === 429));
  });

  it('takes a 200 that is not a JSON object for a fault in front of the homeserver', async () => {
    server.handler = (_request, response) =>
      response.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>log in</html>');
    const failure = await failureOf(client.doRequest('POST', '/join', null, {}));

    assert.equal(failure.transient, true);
    assert.match(failure.detail, /not a JSON object \(content type text\/html\)/);
  });

  it('keeps a refusal final, with its errcode', async () => {
    server.handler = (_request, response) =>
      response.writeHead(403).end('{"errcode":"M_FORBIDDEN","error":"not in room"}');
    const failure = await failureOf(client.doRequest('GET', '/x'));

    assert.deepEqual(
      { status: failure.status, errcode: failure.errcode, transient: failure.transient },
      { status: 403, errcode: 'M_FORBIDDEN', transient: false },
    );
    assert.match(failure.detail, /not in room/);
  });

  it('gives up on an answer that trickles in past the deadline', async () => {
    server.handler = (_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      const timer = setInterval(() => response.write(' '), 50);
      response.on('close', () => clearInterval(timer));
    };
    const started = Date.now();
    const failure = await failureOf(client.doRequest('GET', '/x'));

    assert.equal(failure.transient, true);
    assert.match(failure.detail, /within 500 ms/);
    assert.ok(Date.now() - started < 2000, 'the deadline counts the whole answer');
  });
});

describe('retryTransient', () => {
  it('waits what a rate limit asks, within the cap, then succeeds; a refusal ends at once', async () => {
    let calls = 0;
    const started = Date.now();
    const answer = await retryTransient(
      () => {
        calls++;
        if (calls === 1) {
          const body = { errcode: 'M_LIMIT_EXCEEDED', retry_after_ms: 3_600_000 };
          return Promise.reject(new HomeserverError(429, body, undefined));
        }
        return Promise.resolve('joined');
      },
      { what: 'join', maxDelayMs: 50 },
    );
    assert.equal(answer, 'joined');
    assert.equal(calls, 2);
    assert.ok(Date.now() - started < 1000, 'an hour asked for is cut to the cap');

    let refusals = 0;
    await assert.rejects(
      retryTransient(
        () => {
          refusals++;
          return Promise.reject(new HomeserverError(403, { errcode: 'M_FORBIDDEN' }, undefined));
        },
        { what: 'join' },
      ),
      HomeserverError,
    );
    assert.equal(refusals, 1);
  });
});
