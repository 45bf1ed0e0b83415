/**
 * Planted-fact recall through the whole long-document path: generated PDFs are written to a
 * temporary directory, read by the worker pool like an upload, and summarized by the
 * OpenAiSummarizer against the loopback stand-in server, which keeps every fact sentence it is
 * shown. A fact that is missing from the final summary was lost by chunking, merging or budgets.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { OpenAiSummarizer } from '../../src/summarize/openai.js';
import { callBound } from '../../src/summarize/plan.js';
import type { WorkerPool } from '../../src/worker/pool.js';
import { FakeLlmServer } from '../../test/support/llm-server.js';
import { writeTextPdf } from '../../test/support/pdf-writer.js';
import { FACT_PATTERN, plantedDocument } from './planted.js';

export interface FactCase {
  sections: number;
  contextTokens: number;
}

export interface FactResult extends FactCase {
  pages: number;
  characters: number;
  facts: number;
  recalled: number;
  /** Per tenth of the document: facts planted there, and how many reached the summary. */
  tenths: Array<{ planted: number; recalled: number }>;
  requests: number;
  /** ⌈D/C⌉ + ⌈log₄(D/C)⌉ + 1 for the document's estimated tokens and the chunk size used. */
  bound: number;
  parts: number;
}

/**
 * Sizes chosen so that the final summary (a quarter of the context) can hold every fact: a
 * 2,048-token answer holds about 110 fact sentences, a 1,024-token one about 55.
 */
export const FACT_CASES: FactCase[] = [
  { sections: 24, contextTokens: 8192 },
  { sections: 60, contextTokens: 8192 },
  { sections: 100, contextTokens: 8192 },
  { sections: 45, contextTokens: 4096 },
];

export async function plantedFactRecall(
  pool: WorkerPool,
  cases: FactCase[] = FACT_CASES,
): Promise<FactResult[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pdf-summarizer-eval-'));
  const server = new FakeLlmServer({ keep: FACT_PATTERN });
  await server.start();
  try {
    const results: FactResult[] = [];
    for (const [i, one] of cases.entries()) {
      results.push(await runCase(pool, server, dir, one, i + 1));
    }
    return results;
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function runCase(
  pool: WorkerPool,
  server: FakeLlmServer,
  dir: string,
  one: FactCase,
  seed: number,
): Promise<FactResult> {
  const document = plantedDocument(one.sections, seed);
  const file = path.join(dir, `planted-${seed}.pdf`);
  await writeFile(file, writeTextPdf(document.pages, document.title));
  const extracted = await pool.extract(file, { maxPages: 5000, maxChars: 5_000_000 });

  server.contextTokens = one.contextTokens;
  server.requests.length = 0;
  const summarizer = new OpenAiSummarizer({
    baseUrl: server.url,
    apiKey: '',
    model: 'stand-in',
    contextTokens: one.contextTokens,
  });
  const summary = await summarizer.summarize(
    { text: extracted.text, fileName: path.basename(file), pageCount: extracted.pageCount },
    new AbortController().signal,
  );

  const output = [summary.gist, ...summary.keyPoints].join('\n');
  const tenths = Array.from({ length: 10 }, () => ({ planted: 0, recalled: 0 }));
  let recalled = 0;
  for (const fact of document.facts) {
    const at = extracted.text.indexOf(fact.code);
    if (at < 0) throw new Error(`fact ${fact.section} did not survive extraction: ${fact.code}`);
    const tenth = tenths[Math.min(9, Math.floor((10 * at) / extracted.text.length))];
    const kept = output.includes(`${fact.code}.`);
    if (tenth) {
      tenth.planted++;
      if (kept) tenth.recalled++;
    }
    if (kept) recalled++;
  }

  const usage = summary.usage;
  const chunkTokens = usage?.chunkTokens || Infinity;
  return {
    ...one,
    pages: extracted.pageCount,
    characters: extracted.text.length,
    facts: document.facts.length,
    recalled,
    tenths,
    requests: server.requests.length,
    bound: callBound(usage?.documentTokens ?? 0, chunkTokens),
    parts: usage?.parts ?? 0,
  };
}
