import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

import { FACT_PATTERN, plantedDocument } from '../scripts/eval/planted.js';
import { extractPdf } from '../src/pdf/extract.js';
import { OpenAiSummarizer, type OpenAiSummarizerOptions } from '../src/summarize/openai.js';
import { callBound } from '../src/summarize/plan.js';
import { estimateTokens } from '../src/summarize/tokens.js';
import { FakeLlmServer, type Fault, type RecordedRequest } from './support/llm-server.js';
import { summarizerOf } from './support/summarizer.js';
import { corpusFile } from './support/paths.js';

interface Body {
  max_tokens: number;
  messages: Array<{ role: string; content: string }>;
}

function bodyOf(request: RecordedRequest): Body {
  return request.body as Body;
}

/** Tokens of a request's messages by the summarizer's own estimate. */
function promptEstimate(request: RecordedRequest): number {
  return bodyOf(request).messages.reduce(
    (sum, message) => sum + estimateTokens(message.content),
    0,
  );
}

/** The same with the answer allowance (`max_tokens`): what must fit the context. */
function estimatedTokens(request: RecordedRequest): number {
  return promptEstimate(request) + bodyOf(request).max_tokens;
}

/** A 200 answer with the `usage` a server gives after it cut the prompt to `promptTokens`. */
function cutAnswer(text: string, promptTokens: number, completionTokens: number): Fault {
  return {
    status: 200,
    body: {
      choices: [{ index: 0, message: { content: text }, finish_reason: 'stop' }],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
    },
  };
}

async function koreanReport(): Promise<{ text: string; pageCount: number }> {
  const bytes = new Uint8Array(await readFile(corpusFile('c026.pdf')));
  const document = await extractPdf(bytes, { maxPages: 100, maxChars: 1_000_000 });
  return { text: document.text, pageCount: document.pageCount };
}

const signal = (): AbortSignal => new AbortController().signal;

describe('OpenAiSummarizer and what the server counts', function () {
  this.timeout(30_000);
  let server: FakeLlmServer;

  const summarizer = (options: Partial<OpenAiSummarizerOptions> = {}): OpenAiSummarizer =>
    summarizerOf(server, options);

  beforeEach(async () => {
    server = new FakeLlmServer();
    await server.start();
  });

  afterEach(async () => {
    await server.stop();
  });

  it('does not take a tokenizer counting Korean at a quarter for a silent cut (c026)', async () => {
    // The server counts a token per four characters: the first Korean part, estimated at 3,210
    // tokens, is counted as 1,179 (0.37 of it, under the 0.4 that alone meant a cut), and its
    // answer at about the same rate (0.34).
    const report = await koreanReport();

    const summary = await summarizer().summarize(
      { text: report.text, fileName: 'c026.pdf', pageCount: report.pageCount },
      signal(),
    );

    const usage = summary.usage;
    assert.ok(usage && usage.parts >= 2, 'the report went in parts');
    const bound = callBound(usage.documentTokens, usage.chunkTokens);
    assert.ok(usage.requests <= bound, `${usage.requests} requests; the bound is ${bound}`);
    assert.equal(usage.requests, usage.parts + 1, 'each part once, then the summary');
  });

  it('takes a prompt counted far below its answer’s rate for a silent cut (Ollama)', async () => {
    server.keep = FACT_PATTERN;
    const document = plantedDocument(20, 6);
    // Ollama with a 2,048-token context reads the last 2,048 tokens of a 6,000-token part and
    // answers from those: an English answer, counted about as estimated.
    const answer =
      'The report describes the local services of the region and their plans for the year.\n' +
      '- The harbour office reviewed the annual maintenance plan after a consultation.\n' +
      '- The water board funded a survey of local suppliers.';
    server.faults.push(cutAnswer(answer, 2048, Math.ceil(answer.length / 4)));

    const summary = await summarizer({
      contextTokens: 16_384,
      chunkTokens: 6000,
      concurrency: 1,
    }).summarize({ text: document.text, fileName: 'long.pdf', pageCount: 20 }, signal());

    const [first, ...after] = server.requests;
    assert.ok(first && promptEstimate(first) > 6000, 'the first part was long');
    const limit = 2048 + Math.ceil(answer.length / 4);
    assert.ok(after.length > 0 && after.every((request) => estimatedTokens(request) <= limit));
    const text = [summary.gist, ...summary.keyPoints].join('\n');
    const missing = document.facts.filter((fact) => !text.includes(`${fact.code}.`));
    assert.deepEqual(
      missing.map((fact) => fact.section),
      [],
      'the first part was sent again within the context the cut showed',
    );
  });

  it('takes a Korean prompt counted far below its answer’s rate for a silent cut', async () => {
    const report = await koreanReport();
    // A tokenizer counting a token per Korean syllable, as estimated: its answer is counted so,
    // but of the whole report it read only the last 2,048 tokens, and answered from them.
    const answer = report.text.slice(-300);
    const answerTokens = estimateTokens(answer);
    server.faults.push(cutAnswer(answer, 2048, answerTokens));

    const summary = await summarizer({ contextTokens: 16_384 }).summarize(
      { text: report.text, fileName: 'c026.pdf', pageCount: report.pageCount },
      signal(),
    );

    const [first, ...after] = server.requests;
    assert.ok(first && promptEstimate(first) > 5000, 'the whole report went in one request');
    const limit = 2048 + answerTokens;
    assert.ok(after.length > 0, 'the cut answer was not taken for the summary');
    assert.ok(after.every((request) => estimatedTokens(request) <= limit));
    assert.ok(summary.gist.length > 0);
  });
});
