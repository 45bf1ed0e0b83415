import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { FACT_PATTERN, plantedDocument } from '../scripts/eval/planted.js';
import { JobError } from '../src/errors.js';
import { loadInstructions } from '../src/summarize/instructions.js';
import { Limiter } from '../src/summarize/limiter.js';
import { OpenAiSummarizer, type OpenAiSummarizerOptions } from '../src/summarize/openai.js';
import { callBound } from '../src/summarize/plan.js';
import { inProcessScanner, sharedMeasure, type TextScanner } from '../src/summarize/scan.js';
import type { Summary } from '../src/summarize/types.js';
import { FakeLlmServer, type RecordedRequest } from './support/llm-server.js';
import { summarizerOf } from './support/summarizer.js';

interface Body {
  max_tokens: number;
  messages: Array<{ role: string; content: string }>;
}

function bodyOf(request: RecordedRequest | undefined): Body {
  return request?.body as Body;
}

function systemOf(request: RecordedRequest | undefined): string {
  return bodyOf(request).messages.find((message) => message.role === 'system')?.content ?? '';
}

function documentOf(request: RecordedRequest | undefined): string {
  const content = bodyOf(request).messages.find((message) => message.role === 'user')?.content;
  const text = content ?? '';
  return text.slice(text.indexOf('<document>') + 10, text.lastIndexOf('</document>')).trim();
}

/** Tokens of a request as the fake server counts them, answer allowance included. */
function requestTokens(request: RecordedRequest): number {
  const body = bodyOf(request);
  const chars = body.messages.reduce((sum, message) => sum + message.content.length, 0);
  return Math.ceil(chars / 4) + body.max_tokens;
}

function missingFacts(summary: Summary, codes: string[]): string[] {
  const text = [summary.gist, ...summary.keyPoints].join('\n');
  return codes.filter((code) => !text.includes(`${code}.`));
}

const signal = (): AbortSignal => new AbortController().signal;

describe('OpenAiSummarizer on long documents', function () {
  this.timeout(30_000);
  let server: FakeLlmServer;

  const summarizer = (options: Partial<OpenAiSummarizerOptions> = {}): OpenAiSummarizer =>
    summarizerOf(server, options);

  beforeEach(async () => {
    server = new FakeLlmServer({ keep: FACT_PATTERN });
    await server.start();
  });

  afterEach(async () => {
    await server.stop();
  });

  it('sends a document that fits in one request, with max_tokens as the answer share', async () => {
    const document = plantedDocument(8);

    const summary = await summarizer({ contextTokens: 16_000, answerShare: 0.2 }).summarize(
      { text: document.text, fileName: 'short.pdf', pageCount: 3 },
      signal(),
    );

    assert.equal(server.requests.length, 1);
    assert.equal(bodyOf(server.requests[0]).max_tokens, 3200);
    assert.deepEqual(
      missingFacts(
        summary,
        document.facts.map((fact) => fact.code),
      ),
      [],
    );
  });

  it('caps max_tokens at maxAnswerTokens for a model with a large context', async () => {
    const document = plantedDocument(8);

    await summarizer({ contextTokens: 128_000 }).summarize(
      { text: document.text, fileName: 'short.pdf', pageCount: 3 },
      signal(),
    );

    assert.equal(bodyOf(server.requests[0]).max_tokens, 4096);
  });

  it('cuts a long document at section headings and every part reaches the summary', async () => {
    const document = plantedDocument(60, 2);

    const summary = await summarizer().summarize(
      { text: document.text, fileName: 'long.pdf', pageCount: 40 },
      signal(),
    );

    const parts = server.requests.slice(0, -1).map(documentOf);
    assert.ok(parts.length >= 5, `expected several parts, got ${parts.length}`);
    for (const part of parts.slice(1)) assert.match(part, /^\d+ [A-Z]/, 'a part starts a section');
    assert.deepEqual(
      missingFacts(
        summary,
        document.facts.map((fact) => fact.code),
      ),
      [],
    );
    assert.equal(summary.usage?.parts, parts.length);
  });

  it('never sends more than the context allows', async () => {
    server.contextTokens = 4096;
    const document = plantedDocument(40, 3);

    await summarizer({ contextTokens: 4096 }).summarize(
      { text: document.text, fileName: 'long.pdf', pageCount: 30 },
      signal(),
    );

    for (const request of server.requests) assert.ok(requestTokens(request) <= 4096);
  });

  it('stays within ⌈D/C⌉ + ⌈log₄(D/C)⌉ + 1 calls, with merges in groups when needed', async () => {
    server.keep = undefined;
    for (const [sections, contextTokens] of [
      [30, 8192],
      [150, 8192],
      [300, 4096],
      [80, 2048],
    ] as const) {
      server.requests.length = 0;
      const document = plantedDocument(sections, sections);

      const summary = await summarizer({ contextTokens }).summarize(
        { text: document.text, fileName: 'long.pdf', pageCount: sections },
        signal(),
      );

      const usage = summary.usage;
      assert.ok(usage && usage.chunkTokens > 0);
      const bound = callBound(usage.documentTokens, usage.chunkTokens);
      const label = `${sections} sections, context ${contextTokens}, ${usage.parts} parts`;
      assert.ok(server.requests.length <= bound, `${label}: ${server.requests.length} > ${bound}`);
      for (const request of server.requests) assert.ok(requestTokens(request) <= contextTokens);
    }
  });

  it('sends less after a 400 that names a smaller context, and loses no part', async () => {
    server.contextTokens = 3000;
    const document = plantedDocument(30, 4);

    const summary = await summarizer({ contextTokens: 8192 }).summarize(
      { text: document.text, fileName: 'long.pdf', pageCount: 20 },
      signal(),
    );

    // The first part goes alone, so only it is sent too long; the rest already fit.
    const [first = 0, ...after] = server.requests.map(requestTokens);
    assert.ok(first > 3000, 'the first request was too long');
    assert.ok(after.length > 0 && after.every((size) => size <= 3000));
    assert.deepEqual(
      missingFacts(
        summary,
        document.facts.map((fact) => fact.code),
      ),
      [],
    );
  });

  it('halves a part whose notes came back cut at the token limit', async () => {
    const document = plantedDocument(40, 5);
    server.faults.push({
      status: 200,
      body: {
        choices: [
          { index: 0, message: { content: 'Notes that go on and' }, finish_reason: 'length' },
        ],
      },
    });

    const summary = await summarizer({ concurrency: 1 }).summarize(
      { text: document.text, fileName: 'long.pdf', pageCount: 30 },
      signal(),
    );

    const flat = (text: string): string => text.replace(/\s+/g, ' ');
    const documents = server.requests.map((request) => flat(documentOf(request)));
    const [first = '', ...rest] = documents;
    const head = rest.find((text) => text.length < first.length && first.startsWith(text));
    const tail = rest.find((text) => text.length < first.length && first.endsWith(text));
    assert.ok(head && tail, 'the first part was sent again in two halves');
    assert.equal(`${head} ${tail}`, first);
    assert.deepEqual(
      missingFacts(
        summary,
        document.facts.map((fact) => fact.code),
      ),
      [],
    );
  });

  it('treats an answer cut because the context ran out (Ollama) as a context error', async () => {
    // Small enough for the summary that a 2,048-token context leaves room for to hold every fact.
    const document = plantedDocument(20, 6);
    server.faults.push({
      status: 200,
      body: {
        choices: [{ index: 0, message: { content: 'The report' }, finish_reason: 'length' }],
        usage: { prompt_tokens: 2040, completion_tokens: 8, total_tokens: 2048 },
      },
    });

    const summary = await summarizer({ concurrency: 1 }).summarize(
      { text: document.text, fileName: 'long.pdf', pageCount: 30 },
      signal(),
    );

    assert.ok(server.requests.slice(1).every((request) => requestTokens(request) <= 2048));
    assert.equal(
      missingFacts(
        summary,
        document.facts.map((fact) => fact.code),
      ).length,
      0,
    );
  });

  it('sends the first part alone, so that a server that is down costs one request', async () => {
    server.faults.push({ status: 503 }, { status: 503 });
    const document = plantedDocument(40, 9);

    await assert.rejects(
      summarizer({ maxAttempts: 1, concurrency: 4 }).summarize(
        { text: document.text, fileName: 'long.pdf', pageCount: 30 },
        signal(),
      ),
      (error: unknown) => error instanceof JobError && error.code === 'summarizer_unavailable',
    );
    assert.equal(server.requests.length, 1);
  });

  it('keeps at most `concurrency` requests in flight, across summaries', async () => {
    server.delayMs = 20;
    const shared = summarizer({ concurrency: 2 });
    const document = plantedDocument(40, 7);
    const input = { text: document.text, fileName: 'long.pdf', pageCount: 30 };

    await Promise.all([shared.summarize(input, signal()), shared.summarize(input, signal())]);

    assert.equal(server.maxInFlight, 2);
  });

  it("does not hold a short document behind a long one's parts", async () => {
    server.delayMs = 20;
    const shared = summarizer({ concurrency: 2 });
    const long = plantedDocument(200, 11);
    const running = shared.summarize(
      { text: long.text, fileName: 'long.pdf', pageCount: 40 },
      signal(),
    );
    while (server.requests.length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    const askedAt = server.requests.length;

    const short = await shared.summarize(
      { text: plantedDocument(4, 12).text, fileName: 'short.pdf', pageCount: 2 },
      signal(),
    );
    const served = server.requests.findIndex((request) =>
      bodyOf(request).messages.some((message) => message.content.includes('short.pdf')),
    );
    await running;

    assert.ok(short.gist.length > 0);
    const parts = server.requests.length - 1;
    assert.ok(parts > 20, `expected the long document in many parts, got ${parts} requests`);
    // Each summary keeps at most `concurrency` requests waiting, so the short one's request is
    // among the next few, not behind every part of the long one.
    assert.ok(served - askedAt <= 4, `short document served ${served - askedAt} requests late`);
  });

  it('measures a text once for the summary and an analysis of the same job', async () => {
    let measured = 0;
    const counting: TextScanner = {
      measure: (text) => {
        measured++;
        return inProcessScanner.measure(text);
      },
      split: (text, options) => inProcessScanner.split(text, options),
    };
    const scanner = sharedMeasure(counting);
    const first = summarizer({ scanner });
    const second = summarizer({ scanner, model: 'second-opinion' });
    const input = { text: plantedDocument(6, 13).text, fileName: 'a.pdf', pageCount: 3 };
    const job = signal();

    await Promise.all([first.summarize(input, job), second.summarize(input, job)]);
    assert.equal(measured, 1);
    await second.summarize(input, signal());
    assert.equal(measured, 2, 'another job measures anew');
  });

  it('shares one limit between summarizers given the same limiter', async () => {
    server.delayMs = 20;
    const limiter = new Limiter(2);
    const first = summarizer({ limiter });
    const second = summarizer({ limiter, model: 'second-opinion' });
    const document = plantedDocument(40, 10);
    const input = { text: document.text, fileName: 'long.pdf', pageCount: 30 };

    await Promise.all([first.summarize(input, signal()), second.summarize(input, signal())]);

    assert.equal(server.maxInFlight, 2);
  });

  it('rejects a context too small for any document, naming the numbers', async () => {
    server.contextTokens = 600;
    const document = plantedDocument(20, 8);

    await assert.rejects(
      summarizer({ contextTokens: 8192 }).summarize(
        { text: document.text, fileName: 'long.pdf', pageCount: 10 },
        signal(),
      ),
      (error: unknown) =>
        error instanceof JobError &&
        error.code === 'summarizer_rejected' &&
        /context of \d+ tokens/.test(error.message),
    );
  });
});

describe('OpenAiSummarizer language and instructions', () => {
  let server: FakeLlmServer;
  const portuguese =
    'O conselho municipal aprovou um novo orçamento para as bibliotecas públicas da cidade. ' +
    'Cada biblioteca vai abrir mais quatro noites por semana a partir de setembro. ' +
    'Os bibliotecários pediram horários mais longos durante muitos anos.';

  beforeEach(async () => {
    server = new FakeLlmServer();
    await server.start();
  });

  afterEach(async () => {
    await server.stop();
  });

  async function systemFor(
    options: Partial<OpenAiSummarizerOptions>,
    extra: { language?: string; instructions?: string } = {},
  ): Promise<string> {
    server.requests.length = 0;
    const summarizer = new OpenAiSummarizer({
      baseUrl: server.url,
      apiKey: '',
      model: 'fake',
      ...options,
    });
    const summary = await summarizer.summarize(
      { text: portuguese, fileName: 'orcamento.pdf', pageCount: 1, ...extra },
      signal(),
    );
    assert.equal(summary.language, 'pt');
    return systemOf(server.requests[0]);
  }

  it('asks for the detected language of the document', async () => {
    assert.match(await systemFor({}), /Write your answer in Portuguese\.$/);
  });

  it('asks for the language set in the options or for this summary instead', async () => {
    assert.match(await systemFor({ language: 'en' }), /Write your answer in English\.$/);
    assert.match(await systemFor({}, { language: 'es' }), /Write your answer in Spanish\.$/);
    assert.doesNotMatch(await systemFor({ language: 'none' }), /Write your answer in/);
  });

  it('reads custom instructions from a file, and refuses an empty one', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'instructions-'));
    try {
      const file = path.join(dir, 'triagem.txt');
      await writeFile(file, '\uFEFF\nFaça uma triagem médica em português.\n\n');
      assert.equal(await loadInstructions(file), 'Faça uma triagem médica em português.');

      await writeFile(file, ' \n');
      await assert.rejects(loadInstructions(file), /expected summary instructions in .*, got an/);
      await assert.rejects(loadInstructions(path.join(dir, 'none.txt')), /cannot read/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('uses custom instructions, and passes them on to the notes on each part', async () => {
    const instructions = 'Faça uma triagem médica em português, com {maxKeyPoints} pontos.';
    assert.match(await systemFor({ instructions }), /^Faça uma triagem médica .* com 5 pontos\./);

    server.requests.length = 0;
    const long = new OpenAiSummarizer({ baseUrl: server.url, apiKey: '', model: 'fake' });
    const text = Array.from({ length: 300 }, () => portuguese).join('\n\n');
    await long.summarize({ text, fileName: 'a.pdf', pageCount: 90, instructions }, signal());

    const systems = server.requests.map(systemOf);
    assert.ok(systems.length > 2);
    assert.match(systems.at(-1) ?? '', /^Faça uma triagem médica/);
    for (const system of systems.slice(0, -1)) {
      assert.match(system, /<instructions>\nFaça uma triagem médica/);
      assert.match(system, /Write your answer in Portuguese\.$/);
    }
  });
});
