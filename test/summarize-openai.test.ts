import assert from 'node:assert/strict';

import { JobError } from '../src/errors.js';
import { configureLogging } from '../src/log.js';
import { OpenAiSummarizer, type OpenAiSummarizerOptions } from '../src/summarize/openai.js';
import { parseAnswer } from '../src/summarize/prompt.js';
import type { SummaryInput } from '../src/summarize/types.js';
import { FakeLlmServer } from './support/llm-server.js';

const API_KEY = 'sk-test-0123456789abcdef';

const DOCUMENT = [
  'The harbour authority will dredge the north channel in 2026. The work takes four months.',
  'Ships over 200 metres must use the south channel meanwhile. Pilots are already briefed.',
  'The cost is 12.5 million euros, shared with the port city. Funding was agreed in March.',
  'Fishing boats keep their berths throughout. Only the ferry timetable changes.',
].join('\n\n');

const INPUT: SummaryInput = { text: DOCUMENT, fileName: 'harbour.pdf', pageCount: 2 };

function failsWith(code: string, check: (error: JobError) => void = () => {}) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof JobError, `expected a JobError, got ${String(error)}`);
    assert.equal(error.code, code);
    check(error);
    return true;
  };
}

function documentOf(body: unknown): string {
  const content = userMessageOf(body);
  return content.slice(content.indexOf('<document>') + 10, content.lastIndexOf('</document>'));
}

function userMessageOf(body: unknown): string {
  const messages = (body as { messages: Array<{ role: string; content: string }> }).messages;
  return messages.find((message) => message.role === 'user')?.content ?? '';
}

describe('OpenAiSummarizer against a loopback OpenAI-compatible server', function () {
  this.timeout(20_000);
  let server: FakeLlmServer;
  let logLines: string[];

  function summarizer(options: Partial<OpenAiSummarizerOptions> = {}): OpenAiSummarizer {
    return new OpenAiSummarizer({
      baseUrl: server.url,
      apiKey: API_KEY,
      model: 'test-model',
      requestTimeoutMs: 5_000,
      maxAttempts: 3,
      maxRetryAfterMs: 2_000,
      backoffBaseMs: 5,
      backoffMaxMs: 20,
      ...options,
    });
  }

  before(() => {
    logLines = [];
    configureLogging({ level: 'debug', write: (line) => logLines.push(line) });
  });

  after(() => {
    configureLogging({ level: 'info', write: () => undefined });
    for (const line of logLines) assert.ok(!line.includes(API_KEY), `key logged in: ${line}`);
  });

  beforeEach(async () => {
    server = new FakeLlmServer();
    await server.start();
  });

  afterEach(async () => {
    await server.stop();
  });

  it('sends the document with the bearer key and returns the parsed answer', async () => {
    const summary = await summarizer().summarize(INPUT, new AbortController().signal);

    assert.deepEqual(
      { gist: summary.gist, keyPoints: summary.keyPoints, producer: summary.producer },
      {
        gist: 'The harbour authority will dredge the north channel in 2026.',
        keyPoints: [
          'Ships over 200 metres must use the south channel meanwhile.',
          'The cost is 12.5 million euros, shared with the port city.',
          'Fishing boats keep their berths throughout.',
        ],
        producer: 'test-model',
      },
    );
    assert.equal(summary.language, 'en');
    assert.deepEqual(
      { requests: summary.usage?.requests, parts: summary.usage?.parts },
      { requests: 1, parts: 1 },
    );
    assert.equal(server.requests.length, 1);
    const [request] = server.requests;
    assert.equal(request?.path, '/v1/chat/completions');
    assert.equal(request?.headers.authorization, `Bearer ${API_KEY}`);
    assert.equal((request?.body as { model: string }).model, 'test-model');
    assert.ok(userMessageOf(request?.body).includes(DOCUMENT));
    assert.ok(userMessageOf(request?.body).includes('harbour.pdf'));
    assert.equal((request?.body as { max_tokens: number }).max_tokens, 2048);
  });

  it('retries a 429 after its Retry-After of one second and then succeeds', async () => {
    server.faults.push({ status: 429, headers: { 'retry-after': '1' } });

    const summary = await summarizer().summarize(INPUT, new AbortController().signal);

    assert.equal(summary.producer, 'test-model');
    assert.equal(server.requests.length, 2);
    const gap = (server.requests[1]?.receivedAt ?? 0) - (server.requests[0]?.receivedAt ?? 0);
    assert.ok(gap >= 900, `expected about 1,000 ms between attempts, got ${gap} ms`);
  });

  it('waits no longer than maxRetryAfterMs when Retry-After asks for an hour', async () => {
    server.faults.push({ status: 429, headers: { 'retry-after': '3600' } });
    const started = Date.now();

    await summarizer({ maxRetryAfterMs: 50 }).summarize(INPUT, new AbortController().signal);

    assert.equal(server.requests.length, 2);
    assert.ok(Date.now() - started < 5_000, 'the call should end within seconds');
  });

  it('reports the Retry-After, cut to maxRetryAfterMs, once attempts run out', async () => {
    server.faults.push(
      { status: 429, headers: { 'retry-after': '3600' } },
      { status: 429, headers: { 'retry-after': '3600' } },
    );

    await assert.rejects(
      summarizer({ maxAttempts: 2, maxRetryAfterMs: 10 }).summarize(
        INPUT,
        new AbortController().signal,
      ),
      failsWith('summarizer_unavailable', (error) => {
        assert.equal(error.retryable, true);
        assert.equal(error.retryAfterMs, 10);
      }),
    );
  });

  it('honours retry-after-ms before Retry-After', async () => {
    server.faults.push({ status: 503, headers: { 'retry-after-ms': '30', 'retry-after': '3600' } });
    const started = Date.now();

    await summarizer({ maxRetryAfterMs: 60_000 }).summarize(INPUT, new AbortController().signal);

    assert.equal(server.requests.length, 2);
    assert.ok(Date.now() - started < 5_000);
  });

  it('gives up as unavailable after maxAttempts server errors', async () => {
    server.faults.push({ status: 500 }, { status: 502 }, { status: 500 }, { status: 500 });

    await assert.rejects(
      summarizer({ maxAttempts: 3 }).summarize(INPUT, new AbortController().signal),
      failsWith('summarizer_unavailable', (error) => {
        assert.match(error.message, /HTTP 500: injected fault 500/);
        assert.match(error.message, /attempt 3\/3/);
        assert.equal(error.retryAfterMs, undefined);
      }),
    );
    assert.equal(server.requests.length, 3);
  });

  it('rejects a 401 at once, naming status and message, with the key redacted', async () => {
    server.faults.push({
      status: 401,
      body: { error: { message: `Incorrect API key provided: ${API_KEY}` } },
    });

    await assert.rejects(
      summarizer().summarize(INPUT, new AbortController().signal),
      failsWith('summarizer_rejected', (error) => {
        assert.equal(error.retryable, false);
        assert.match(error.message, /HTTP 401: Incorrect API key provided: \[redacted\]/);
        assert.ok(!error.userMessage.includes('API key'));
      }),
    );
    assert.equal(server.requests.length, 1);
  });

  it('keeps a vLLM-style top-level error message that the SDK drops', async () => {
    server.faults.push({
      status: 400,
      body: {
        object: 'error',
        message: "This model's maximum context length is 8192 tokens.",
        type: 'BadRequestError',
        code: 400,
      },
    });

    await assert.rejects(
      summarizer().summarize(INPUT, new AbortController().signal),
      failsWith('summarizer_rejected', (error) => {
        assert.match(error.message, /HTTP 400: This model's maximum context length is 8192/);
      }),
    );
  });

  it('reads FastAPI-style detail lists and plain-text error bodies', async () => {
    server.faults.push({
      status: 422,
      body: { detail: [{ loc: ['body'], msg: 'field missing' }] },
    });
    await assert.rejects(
      summarizer().summarize(INPUT, new AbortController().signal),
      failsWith('summarizer_rejected', (error) => assert.match(error.message, /field missing/)),
    );

    server.faults.push({ status: 404, body: 'model "nope" not found, try pulling it first' });
    await assert.rejects(
      summarizer().summarize(INPUT, new AbortController().signal),
      failsWith('summarizer_rejected', (error) => assert.match(error.message, /HTTP 404: model/)),
    );
  });

  it('treats an HTML page served with 200 as a failed attempt', async () => {
    server.faults.push('html200');
    const summary = await summarizer().summarize(INPUT, new AbortController().signal);
    assert.equal(server.requests.length, 2);
    assert.ok(summary.gist.length > 0);

    server.faults.push('html200');
    await assert.rejects(
      summarizer({ maxAttempts: 1 }).summarize(INPUT, new AbortController().signal),
      failsWith('summarizer_unavailable', (error) => {
        assert.match(error.message, /expected a chat completion, got .*<!DOCTYPE html>/);
        assert.equal(error.userMessage, 'The summarizer is unavailable right now.');
      }),
    );
  });

  it('retries a completion without choices or without content', async () => {
    server.faults.push(
      { status: 200, body: { object: 'chat.completion', choices: [] } },
      {
        status: 200,
        body: { choices: [{ index: 0, message: { content: '' }, finish_reason: 'length' }] },
      },
    );

    await summarizer().summarize(INPUT, new AbortController().signal);

    assert.equal(server.requests.length, 3);
  });

  it('uses an answer cut short by the token limit when it has content', async () => {
    const content = 'A truncated but usable gist.\n- First point\n- Second po';
    server.faults.push({
      status: 200,
      body: { choices: [{ index: 0, message: { content }, finish_reason: 'length' }] },
    });

    const summary = await summarizer().summarize(INPUT, new AbortController().signal);

    assert.equal(summary.gist, 'A truncated but usable gist.');
    assert.deepEqual(summary.keyPoints, ['First point', 'Second po']);
    assert.equal(server.requests.length, 1);
  });

  it('counts a request without an answer in requestTimeoutMs as a failed attempt', async () => {
    server.faults.push('hang');
    const summary = await summarizer({ requestTimeoutMs: 200 }).summarize(
      INPUT,
      new AbortController().signal,
    );
    assert.ok(summary.gist.length > 0);
    assert.equal(server.requests.length, 2);

    server.faults.push('hang');
    await assert.rejects(
      summarizer({ requestTimeoutMs: 200, maxAttempts: 1 }).summarize(
        INPUT,
        new AbortController().signal,
      ),
      failsWith('summarizer_unavailable', (error) => {
        assert.match(error.message, /no answer within 200 ms/);
      }),
    );
  });

  it('retries when the server drops the connection', async () => {
    server.faults.push('drop');
    await summarizer().summarize(INPUT, new AbortController().signal);
    assert.equal(server.requests.length, 2);
  });

  it('stops waiting for a retry as soon as the signal aborts', async () => {
    server.faults.push({ status: 429, headers: { 'retry-after': '3600' } });
    const controller = new AbortController();
    const reason = new JobError('timed_out', 'job deadline passed');
    const started = Date.now();
    setTimeout(() => controller.abort(reason), 100);

    await assert.rejects(
      summarizer({ maxRetryAfterMs: 3_600_000, summaryTimeoutMs: 7_200_000 }).summarize(
        INPUT,
        controller.signal,
      ),
      (error: unknown) => error === reason,
    );
    assert.ok(Date.now() - started < 5_000, 'the wait should end with the abort');
    assert.equal(server.requests.length, 1);
  });

  it('stops a request in flight when the signal aborts', async () => {
    server.faults.push('hang');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);

    await assert.rejects(
      summarizer({ requestTimeoutMs: 60_000 }).summarize(INPUT, controller.signal),
      failsWith('timed_out'),
    );
    assert.equal(server.requests.length, 1);
  });

  it('does not start a retry whose wait would end after the summary deadline', async () => {
    server.faults.push({ status: 429, headers: { 'retry-after': '600' } });
    const started = Date.now();

    await assert.rejects(
      summarizer({ maxRetryAfterMs: 600_000, summaryTimeoutMs: 60_000 }).summarize(
        INPUT,
        new AbortController().signal,
      ),
      failsWith('summarizer_unavailable', (error) => {
        assert.match(error.message, /no time left before the summary deadline/);
        assert.equal(error.retryAfterMs, 600_000);
      }),
    );
    assert.ok(Date.now() - started < 5_000, 'it should give up at once');
    assert.equal(server.requests.length, 1);
  });

  it('ends the whole summary at summaryTimeoutMs, whatever each request is allowed', async () => {
    server.faults.push('hang');
    const started = Date.now();

    await assert.rejects(
      summarizer({ requestTimeoutMs: 60_000, summaryTimeoutMs: 300 }).summarize(
        INPUT,
        new AbortController().signal,
      ),
      failsWith('timed_out', (error) => assert.match(error.message, /within 300 ms/)),
    );
    assert.ok(Date.now() - started < 5_000);
  });

  it('sends no more than maxInputChars of document in one request', async () => {
    const paragraphs = Array.from(
      { length: 40 },
      (_, i) => `Paragraph ${i + 1} of the harbour plan describes berth ${i + 1} in detail.`,
    );
    const text = paragraphs.join('\n\n');

    const summary = await summarizer({ maxInputChars: 1_000 }).summarize(
      { ...INPUT, text },
      new AbortController().signal,
    );

    const documents = server.requests.map((request) => documentOf(request.body));
    assert.ok((summary.usage?.parts ?? 0) >= 3, `expected parts, got ${summary.usage?.parts}`);
    for (const document of documents.slice(0, -1)) assert.ok(document.length <= 1_000);
    assert.ok(summary.gist.length > 0);
  });

  it('sends no Authorization header when the key is empty', async () => {
    await summarizer({ apiKey: '' }).summarize(INPUT, new AbortController().signal);
    assert.equal(server.requests[0]?.headers.authorization, undefined);
  });

  it('refuses a base URL that is not http(s)', () => {
    assert.throws(() => summarizer({ baseUrl: 'not a url' }), /expected an http\(s\) base URL/);
    assert.throws(() => summarizer({ baseUrl: 'ftp://127.0.0.1/v1' }), /ftp: URL/);
  });
});

describe('FakeLlmServer', () => {
  let server: FakeLlmServer;

  beforeEach(async () => {
    server = new FakeLlmServer({ model: 'fake-7b' });
    await server.start();
  });

  afterEach(async () => {
    await server.stop();
  });

  it('lists its model on GET /v1/models', async () => {
    const response = await fetch(`${server.url}/models`);
    const body = (await response.json()) as { data: Array<{ id: string }> };
    assert.equal(response.status, 200);
    assert.deepEqual(
      body.data.map((model) => model.id),
      ['fake-7b'],
    );
  });

  it('answers after delayMs, with usage and finish_reason stop', async () => {
    server.delayMs = 50;
    const response = await fetch(`${server.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'One. Two.\n\nThree. Four.' }] }),
    });
    const body = (await response.json()) as {
      choices: Array<{ message: { content: string }; finish_reason: string }>;
      usage: { total_tokens: number };
    };
    assert.equal(body.choices[0]?.message.content, 'One.\n- Three.');
    assert.equal(body.choices[0]?.finish_reason, 'stop');
    assert.ok(body.usage.total_tokens > 0);
    assert.ok((server.requests[0]?.receivedAt ?? 0) > 0);
  });

  it('ends a hanging request when it stops', async () => {
    server.faults.push('hang');
    const pending = fetch(`${server.url}/chat/completions`, { method: 'POST', body: '{}' });
    while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));

    await server.stop();

    await assert.rejects(pending);
  });
});

describe('parseAnswer', () => {
  it('takes the paragraph as gist and "- " lines as key points', () => {
    const answer = 'The report reviews the budget.\n\n- Costs rose.\n- Staff fell.';
    assert.deepEqual(parseAnswer(answer, 5), {
      gist: 'The report reviews the budget.',
      keyPoints: ['Costs rose.', 'Staff fell.'],
    });
  });

  it('accepts numbered and "*" lists, label lines and Markdown, and strips the markup', () => {
    const answer = [
      '## Summary',
      '**The report** reviews the _annual_ budget.',
      '',
      'Key points:',
      '1. **Costs** rose by `4%`.',
      '2) See [the table](http://example.invalid/t).',
      '* Staff *fell* <b>sharply</b> &amp; quickly.',
    ].join('\n');
    assert.deepEqual(parseAnswer(answer, 5), {
      gist: 'The report reviews the annual budget.',
      keyPoints: ['Costs rose by 4%.', 'See the table.', 'Staff fell sharply & quickly.'],
    });
  });

  it('makes the whole answer the gist when there is no list', () => {
    const answer = 'The report reviews the budget.\nIt finds that costs rose.';
    assert.deepEqual(parseAnswer(answer, 5), {
      gist: 'The report reviews the budget. It finds that costs rose.',
      keyPoints: [],
    });
  });

  it('uses the first item as gist when the answer is only a list, and keeps at most N', () => {
    const answer = '- One.\n- Two.\n- Three.\n- Four.';
    assert.deepEqual(parseAnswer(answer, 2), { gist: 'One.', keyPoints: ['Two.', 'Three.'] });
  });

  it('drops a reasoning block before the answer', () => {
    const answer = '<think>The user wants a summary…\n- not this</think>\nThe gist.\n- A point.';
    assert.deepEqual(parseAnswer(answer, 5), { gist: 'The gist.', keyPoints: ['A point.'] });
  });
});
