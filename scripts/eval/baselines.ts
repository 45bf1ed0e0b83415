/**
 * The baselines the built-in summarizer is compared with, over the same candidate sentences it
 * chooses from (the same splitter and the same filter for headings, table rows, captions,
 * references and boilerplate), so that the comparison is about choosing, not cleaning.
 *
 * - Lead-3: the first three candidates.
 * - Lead at the same length: leading candidates up to the built-in's own budget.
 * - TextRank: PageRank over TF-IDF cosine similarity between candidates (Mihalcea and Tarau
 *   2004, with the cosine weighting of later work), the three best, in document order. It costs
 *   the square of the candidate count, so only the first 1,500 candidates are ranked.
 */
import { candidatesOf } from '../../src/summarize/extractive.js';

interface Candidate {
  text: string;
  tokens: readonly string[];
}

const MOST_TEXTRANK_CANDIDATES = 1500;
const DAMPING = 0.85;
const ITERATIONS = 40;

function candidates(text: string): Candidate[] {
  return candidatesOf(text).map(({ sentence, tokens }) => ({ text: sentence.text, tokens }));
}

export function lead(text: string, count: number): string[] {
  return candidates(text)
    .slice(0, count)
    .map((candidate) => candidate.text);
}

/** Leading candidates while they fit `maxChars` and number at most `count`. */
export function leadWithin(text: string, count: number, maxChars: number): string[] {
  const chosen: string[] = [];
  let used = 0;
  for (const candidate of candidates(text)) {
    if (chosen.length >= count) break;
    if (chosen.length > 0 && used + candidate.text.length + 1 > maxChars) break;
    chosen.push(candidate.text);
    used += candidate.text.length + 1;
  }
  return chosen;
}

export function textRank(text: string, count: number): string[] {
  const pool = candidates(text).slice(0, MOST_TEXTRANK_CANDIDATES);
  const vectors = tfidf(pool);
  const n = pool.length;
  const weights: Float64Array[] = vectors.map(() => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const similarity = dot(vectors[i], vectors[j]);
      (weights[i] as Float64Array)[j] = similarity;
      (weights[j] as Float64Array)[i] = similarity;
    }
  }
  const outSums = weights.map((row) => row.reduce((sum, weight) => sum + weight, 0));

  let scores = new Float64Array(n).fill(1 / Math.max(1, n));
  for (let iteration = 0; iteration < ITERATIONS; iteration++) {
    const next = new Float64Array(n).fill((1 - DAMPING) / Math.max(1, n));
    for (let j = 0; j < n; j++) {
      const out = outSums[j] ?? 0;
      if (out === 0) continue;
      const share = (DAMPING * (scores[j] ?? 0)) / out;
      const row = weights[j] as Float64Array;
      for (let i = 0; i < n; i++) next[i] = (next[i] ?? 0) + share * (row[i] ?? 0);
    }
    scores = next;
  }

  return [...pool.keys()]
    .sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0) || a - b)
    .slice(0, count)
    .sort((a, b) => a - b)
    .map((index) => pool[index]?.text ?? '');
}

function tfidf(pool: readonly Candidate[]): Array<Map<string, number>> {
  const documentFrequency = new Map<string, number>();
  for (const { tokens } of pool) {
    for (const token of new Set(tokens)) {
      documentFrequency.set(token, (documentFrequency.get(token) ?? 0) + 1);
    }
  }
  return pool.map(({ tokens }) => {
    const vector = new Map<string, number>();
    for (const token of tokens) vector.set(token, (vector.get(token) ?? 0) + 1);
    let norm = 0;
    for (const [token, count] of vector) {
      const weight = count * Math.log(pool.length / (documentFrequency.get(token) ?? 1));
      vector.set(token, weight);
      norm += weight * weight;
    }
    norm = Math.sqrt(norm) || 1;
    for (const [token, weight] of vector) vector.set(token, weight / norm);
    return vector;
  });
}

function dot(a: Map<string, number> | undefined, b: Map<string, number> | undefined): number {
  if (!a || !b) return 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let sum = 0;
  for (const [token, weight] of small) sum += weight * (large.get(token) ?? 0);
  return sum;
}
