/**
 * The evaluation's tables for people, and its one-line JSON summary for scripts.
 */
import { SYSTEMS, type DocumentScores, type System } from './corpus.js';
import type { FactResult } from './facts.js';
import type { RougeScores } from './rouge.js';

const LABELS: Record<System, string> = {
  builtin: 'built-in',
  lead3: 'Lead-3',
  textrank: 'TextRank (3)',
  lead_same_length: 'Lead, same length',
  builtin_3: 'built-in, 3 sentences',
};

export interface Summary {
  rouge: Record<System, RougeScores>;
  rougeByKind: Record<string, Record<System, RougeScores>>;
  factRecall: number;
  tenthsCovered: number;
  callsRatio: number;
}

export function summarize(corpus: DocumentScores[], facts: FactResult[]): Summary {
  const kinds = [...new Set(corpus.map((document) => document.entry.kind))];
  const rougeByKind = Object.fromEntries(
    kinds.map((kind) => [kind, meanScores(corpus.filter((d) => d.entry.kind === kind))]),
  );
  const planted = facts.reduce((sum, result) => sum + result.facts, 0);
  const recalled = facts.reduce((sum, result) => sum + result.recalled, 0);
  const tenths = facts.flatMap((result) => result.tenths.filter((tenth) => tenth.planted > 0));
  return {
    rouge: meanScores(corpus),
    rougeByKind,
    factRecall: planted === 0 ? 0 : recalled / planted,
    tenthsCovered:
      tenths.length === 0 ? 0 : tenths.filter((t) => t.recalled > 0).length / tenths.length,
    callsRatio: Math.max(0, ...facts.map((result) => result.requests / result.bound)),
  };
}

export function rougeTable(corpus: DocumentScores[], summary: Summary): string {
  const kinds = Object.keys(summary.rougeByKind);
  const counts = kinds.map((kind) => corpus.filter((d) => d.entry.kind === kind).length);
  const header = [
    pad('system', 22),
    ...['R-1', 'R-2', 'R-L'].map((name) => pad(name, 6, true)),
    ...kinds.map((kind, i) => pad(`${kind} (${counts[i]}) R-1`, 16, true)),
  ].join(' ');
  const rows = SYSTEMS.map((system) => {
    const all = summary.rouge[system];
    return [
      pad(LABELS[system], 22),
      ...[all.rouge1, all.rouge2, all.rougeL].map((value) => pad(value.toFixed(2), 6, true)),
      ...kinds.map((kind) =>
        pad(summary.rougeByKind[kind]?.[system].rouge1.toFixed(2) ?? '', 16, true),
      ),
    ].join(' ');
  });
  const worst = corpus.reduce((a, b) => (b.leakage > a.leakage ? b : a));
  const words = corpus.reduce((sum, d) => sum + d.builtinWords, 0) / corpus.length;
  return [
    `ROUGE F1 in points, mean of ${corpus.length} documents, their own summary removed from the ` +
      'input (Unicode words, no stemming)',
    header,
    ...rows,
    `Reference 5-grams left in the input after removal: at most ` +
      `${(100 * worst.leakage).toFixed(1)} % (${worst.entry.id}); ` +
      `the built-in summary has ${words.toFixed(0)} words on average.`,
  ].join('\n');
}

export function factTable(facts: FactResult[], summary: Summary): string {
  const header = [
    pad('sections', 8, true),
    pad('context', 7, true),
    pad('pages', 5, true),
    pad('chars', 9, true),
    pad('parts', 5, true),
    pad('recall', 8, true),
    pad('tenths', 6, true),
    pad('calls', 5, true),
    pad('bound', 5, true),
  ].join(' ');
  const rows = facts.map((result) =>
    [
      pad(String(result.sections), 8, true),
      pad(String(result.contextTokens), 7, true),
      pad(String(result.pages), 5, true),
      pad(String(result.characters), 9, true),
      pad(String(result.parts), 5, true),
      pad(`${result.recalled}/${result.facts}`, 8, true),
      pad(`${result.tenths.filter((t) => t.recalled > 0).length}/10`, 6, true),
      pad(String(result.requests), 5, true),
      pad(String(result.bound), 5, true),
    ].join(' '),
  );
  const byTenth = Array.from({ length: 10 }, (_, i) => {
    const planted = facts.reduce((sum, result) => sum + (result.tenths[i]?.planted ?? 0), 0);
    const recalled = facts.reduce((sum, result) => sum + (result.tenths[i]?.recalled ?? 0), 0);
    return planted === 0 ? '–' : `${Math.round((100 * recalled) / planted)}%`;
  });
  return [
    'Planted-fact recall: generated PDFs, read by the worker pool, summarized in parts against ' +
      'the loopback stand-in model',
    header,
    ...rows,
    `Recall by tenth of the document: ${byTenth.join(' ')}`,
    `Overall: ${(100 * summary.factRecall).toFixed(1)} % of facts, ` +
      `${(100 * summary.tenthsCovered).toFixed(1)} % of tenths represented, ` +
      `calls at most ${(100 * summary.callsRatio).toFixed(0)} % of the bound ` +
      '⌈D/C⌉ + ⌈log₄(D/C)⌉ + 1.',
  ].join('\n');
}

/** One JSON object: ROUGE in points (0–100), shares and ratios from 0 to 1. */
export function jsonLine(summary: Summary): string {
  const rouge: Record<string, number> = {};
  for (const system of SYSTEMS) {
    const scores = summary.rouge[system];
    rouge[`rouge1_${system}`] = round(scores.rouge1);
    rouge[`rouge2_${system}`] = round(scores.rouge2);
    rouge[`rougeL_${system}`] = round(scores.rougeL);
  }
  const byKind = Object.fromEntries(
    Object.entries(summary.rougeByKind).map(([kind, scores]) => [
      kind,
      Object.fromEntries(
        SYSTEMS.map((system) => [`rouge1_${system}`, round(scores[system].rouge1)]),
      ),
    ]),
  );
  return JSON.stringify({
    ...rouge,
    rouge_by_kind: byKind,
    rouge_unit: 'points',
    fact_recall: round(summary.factRecall, 4),
    tenths_covered: round(summary.tenthsCovered, 4),
    llm_calls_ratio: round(summary.callsRatio, 4),
  });
}

function meanScores(documents: DocumentScores[]): Record<System, RougeScores> {
  const mean = (system: System, key: keyof RougeScores): number =>
    documents.reduce((sum, document) => sum + document.scores[system][key], 0) /
    Math.max(1, documents.length);
  return Object.fromEntries(
    SYSTEMS.map((system) => [
      system,
      {
        rouge1: mean(system, 'rouge1'),
        rouge2: mean(system, 'rouge2'),
        rougeL: mean(system, 'rougeL'),
      },
    ]),
  ) as Record<System, RougeScores>;
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
