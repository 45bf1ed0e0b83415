/**
 * ROUGE-1, ROUGE-2 and ROUGE-Lsum F1, in points (0–100).
 *
 * Tokens are runs of letters, marks and digits of any script, lower-cased after NFKC, so that
 * "divulgación" and "orçamento" stay whole words (the usual ROUGE tokenizer keeps only a–z and
 * 0–9). There is no stemming: it would favour English over the Portuguese, Spanish and French
 * documents. ROUGE-Lsum is the summary-level LCS of Lin (2004): for each reference sentence,
 * the union of its longest common subsequences with every candidate sentence.
 */
import { splitSentences } from '../../src/summarize/sentences.js';

export interface RougeScores {
  rouge1: number;
  rouge2: number;
  rougeL: number;
}

export function rougeTokens(text: string): string[] {
  return (
    text
      .normalize('NFKC')
      .toLowerCase()
      .match(/[\p{L}\p{M}\p{N}]+/gu) ?? []
  );
}

export function rouge(candidate: string, reference: string): RougeScores {
  const candidateTokens = rougeTokens(candidate);
  const referenceTokens = rougeTokens(reference);
  return {
    rouge1: overlapF1(ngrams(candidateTokens, 1), ngrams(referenceTokens, 1)),
    rouge2: overlapF1(ngrams(candidateTokens, 2), ngrams(referenceTokens, 2)),
    rougeL: lcsSumF1(sentencesOf(candidate), sentencesOf(reference)),
  };
}

function ngrams(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const gram = tokens.slice(i, i + n).join(' ');
    counts.set(gram, (counts.get(gram) ?? 0) + 1);
  }
  return counts;
}

function overlapF1(candidate: Map<string, number>, reference: Map<string, number>): number {
  let overlap = 0;
  let candidateTotal = 0;
  let referenceTotal = 0;
  for (const count of candidate.values()) candidateTotal += count;
  for (const [gram, count] of reference) {
    referenceTotal += count;
    overlap += Math.min(count, candidate.get(gram) ?? 0);
  }
  return f1(overlap, candidateTotal, referenceTotal);
}

function sentencesOf(text: string): string[][] {
  return splitSentences(text)
    .map((sentence) => rougeTokens(sentence.text))
    .filter((tokens) => tokens.length > 0);
}

function lcsSumF1(candidate: string[][], reference: string[][]): number {
  const candidateTotal = candidate.reduce((sum, tokens) => sum + tokens.length, 0);
  const referenceTotal = reference.reduce((sum, tokens) => sum + tokens.length, 0);
  let hits = 0;
  for (const referenceSentence of reference) {
    const union = new Set<number>();
    for (const candidateSentence of candidate) {
      for (const position of lcsPositions(referenceSentence, candidateSentence))
        union.add(position);
    }
    hits += union.size;
  }
  return f1(hits, candidateTotal, referenceTotal);
}

/** Positions in `a` of one longest common subsequence of `a` and `b`. */
function lcsPositions(a: readonly string[], b: readonly string[]): number[] {
  const width = b.length + 1;
  const table = new Uint16Array((a.length + 1) * width);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      table[i * width + j] =
        a[i - 1] === b[j - 1]
          ? (table[(i - 1) * width + j - 1] ?? 0) + 1
          : Math.max(table[(i - 1) * width + j] ?? 0, table[i * width + j - 1] ?? 0);
    }
  }
  const positions: number[] = [];
  for (let i = a.length, j = b.length; i > 0 && j > 0;) {
    if (a[i - 1] === b[j - 1]) {
      positions.push(i - 1);
      i--;
      j--;
    } else if ((table[(i - 1) * width + j] ?? 0) >= (table[i * width + j - 1] ?? 0)) i--;
    else j--;
  }
  return positions;
}

function f1(overlap: number, candidateTotal: number, referenceTotal: number): number {
  if (overlap === 0 || candidateTotal === 0 || referenceTotal === 0) return 0;
  const precision = overlap / candidateTotal;
  const recall = overlap / referenceTotal;
  return (200 * precision * recall) / (precision + recall);
}
