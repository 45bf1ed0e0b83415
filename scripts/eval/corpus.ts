/**
 * ROUGE of the built-in summarizer and its baselines against the human-written summaries in
 * `../shared/eval`. Each PDF is read by the worker pool exactly as an upload would be, its own
 * summary is removed from the text ({@link removeReference}), and what is left is summarized.
 */
import { readFile } from 'node:fs/promises';

import { defaultExtractiveOptions } from '../../src/summarize/extractive.js';
import type { WorkerPool } from '../../src/worker/pool.js';
import { lead, leadWithin, textRank } from './baselines.js';
import type { EvalEntry } from './manifest.js';
import { removeReference } from './removal.js';
import { rouge, rougeTokens, type RougeScores } from './rouge.js';

/** The systems scored, in table order. */
export const SYSTEMS = ['builtin', 'lead3', 'textrank', 'lead_same_length', 'builtin_3'] as const;
export type System = (typeof SYSTEMS)[number];

export interface DocumentScores {
  entry: EvalEntry;
  /** Share of the reference's word 5-grams still in the input after removal: leakage. */
  leakage: number;
  /** Words of the built-in summary, for comparing lengths. */
  builtinWords: number;
  scores: Record<System, RougeScores>;
}

export async function scoreCorpus(
  pool: WorkerPool,
  entries: EvalEntry[],
): Promise<DocumentScores[]> {
  return Promise.all(entries.map((entry) => scoreDocument(pool, entry)));
}

async function scoreDocument(pool: WorkerPool, entry: EvalEntry): Promise<DocumentScores> {
  const [document, reference] = await Promise.all([
    pool.extract(entry.pdf, { maxPages: 5000, maxChars: 2_000_000 }),
    readFile(entry.reference, 'utf8'),
  ]);
  const input = removeReference(entry.id, document.text, document.pageStarts);

  const builtin = await pool.summarize(input, {});
  const short = await pool.summarize(input, { gistSentences: 1, maxKeyPoints: 2 });
  const outputs: Record<System, string[]> = {
    builtin: [builtin.gist, ...builtin.keyPoints],
    lead3: lead(input, 3),
    textrank: textRank(input, 3),
    lead_same_length: leadWithin(
      input,
      defaultExtractiveOptions.gistSentences + defaultExtractiveOptions.maxKeyPoints,
      defaultExtractiveOptions.maxChars,
    ),
    builtin_3: [short.gist, ...short.keyPoints],
  };

  const scores = Object.fromEntries(
    SYSTEMS.map((system) => [system, rouge(outputs[system].join('\n'), reference)]),
  ) as Record<System, RougeScores>;
  return {
    entry,
    leakage: leakage(reference, input),
    builtinWords: rougeTokens(outputs.builtin.join(' ')).length,
    scores,
  };
}

function leakage(reference: string, input: string): number {
  const grams = (tokens: string[]): string[] =>
    tokens.slice(0, Math.max(0, tokens.length - 4)).map((_, i) => tokens.slice(i, i + 5).join(' '));
  const inInput = new Set(grams(rougeTokens(input)));
  const fromReference = grams(rougeTokens(reference));
  if (fromReference.length === 0) return 0;
  return fromReference.filter((gram) => inInput.has(gram)).length / fromReference.length;
}
