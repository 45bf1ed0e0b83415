/**
 * The built-in summarizer: picks the document's own most central sentences, no network needed.
 *
 * Pure and synchronous, so it can run inside a worker thread. The steps: split into sentences,
 * drop the ones that cannot stand in a summary (headings, table rows, captions, references),
 * rank the rest by centrality and position ({@link rankSentences}), then take the best that fit
 * the character budget, skipping near-duplicates. The gist is the best one or two; key points
 * follow, and both keep the order in which they appear in the document.
 */
import { boilerplateFlags, withoutLeaders, withoutRunningHeads } from './boilerplate.js';
import { isCandidate } from './junk.js';
import { rankSentences, type Candidate } from './rank.js';
import { splitSentences } from './sentences.js';
import { hasUnspacedScript, tokenize } from './tokenize.js';

const CJK_PUNCTUATION = /[。！？｡、，」』）]/u;

export interface ExtractiveOptions {
  /**
   * Most key points listed after the gist.
   * @default 5
   */
  maxKeyPoints: number;
  /**
   * Sentences in the gist, 1 or 2. The second is added only if the gist stays within half of
   * `maxChars`.
   * @default 2
   */
  gistSentences: number;
  /**
   * Characters for the gist and all key points together. A single sentence longer than this is
   * cut at a word and ends with "…".
   * @default 1500
   */
  maxChars: number;
  /**
   * Share of words two sentences may have in common (Jaccard of their word sets) before the
   * lower-ranked one counts as a near-duplicate and is skipped.
   * @default 0.6
   */
  duplicateThreshold: number;
}

export const defaultExtractiveOptions: Readonly<ExtractiveOptions> = {
  maxKeyPoints: 5,
  gistSentences: 2,
  maxChars: 1500,
  duplicateThreshold: 0.6,
};

interface Pick {
  index: number;
  text: string;
}

export function summarizeExtractive(
  text: string,
  options: Partial<ExtractiveOptions> = {},
): { gist: string; keyPoints: string[] } {
  const settings = { ...defaultExtractiveOptions, ...options };
  const candidates = candidatesOf(text);
  if (candidates.length === 0) return { gist: '', keyPoints: [] };

  const scores = rankSentences(candidates);
  const order = candidates
    .map((candidate, i) => ({ candidate, score: scores[i] ?? 0 }))
    .sort((a, b) => b.score - a.score || a.candidate.sentence.index - b.candidate.sentence.index)
    .map((entry) => entry.candidate);

  return choose(order, settings);
}

/**
 * Sentences fit for a summary, with their tokens: of the right shape, and not boilerplate. A
 * document that is nothing but boilerplate (a licence uploaded on its own) is summarized from
 * it; one with no well-shaped sentence at all, from any sentence with a word.
 */
export function candidatesOf(text: string): Candidate[] {
  const sentences = splitSentences(withoutRunningHeads(withoutLeaders(text)));
  const boilerplate = boilerplateFlags(sentences);
  const all = sentences.map((sentence) => ({ sentence, tokens: tokenize(sentence.text) }));
  const shaped = all.filter(({ sentence, tokens }) => isCandidate(sentence, tokens));
  const content = shaped.filter(({ sentence }) => !boilerplate[sentence.index]);
  if (content.length > 0) return content;
  if (shaped.length > 0) return shaped;
  return all.filter(({ tokens }) => tokens.some((token) => /\p{L}/u.test(token)));
}

function choose(
  order: readonly Candidate[],
  settings: ExtractiveOptions,
): { gist: string; keyPoints: string[] } {
  const gistSentences = Math.min(2, Math.max(1, Math.floor(settings.gistSentences)));
  const wanted = gistSentences + Math.max(0, Math.floor(settings.maxKeyPoints));
  const chosen: Array<{ pick: Pick; words: Set<string> }> = [];
  const gist: Pick[] = [];
  let used = 0;

  for (const { sentence, tokens } of order) {
    if (chosen.length >= wanted) break;
    const words = new Set(tokens);
    if (chosen.some((other) => jaccard(words, other.words) >= settings.duplicateThreshold)) {
      continue;
    }

    const pick = { index: sentence.index, text: sentence.text };
    if (chosen.length === 0) {
      pick.text = clip(pick.text, settings.maxChars);
    } else if (used + pick.text.length + 1 > settings.maxChars) {
      continue;
    }

    const inGist =
      gist.length === 0 ||
      (gist.length < gistSentences &&
        chosen.length === gist.length &&
        used + pick.text.length + 1 <= settings.maxChars / 2);
    if (inGist) gist.push(pick);
    chosen.push({ pick, words });
    used += pick.text.length + (chosen.length > 1 ? 1 : 0);
  }

  const byPosition = (a: Pick, b: Pick): number => a.index - b.index;
  const keyPoints = chosen
    .map(({ pick }) => pick)
    .filter((pick) => !gist.includes(pick))
    .sort(byPosition)
    .map((pick) => pick.text);
  const gistText = joinSentences(gist.sort(byPosition).map((pick) => pick.text));
  return { gist: gistText, keyPoints };
}

/** Joins sentences with a space, except after Chinese, Japanese or Thai-like text. */
function joinSentences(texts: readonly string[]): string {
  return texts.reduce((joined, text) => {
    if (!joined) return text;
    const last = joined.slice(-1);
    const tight = hasUnspacedScript(last) || CJK_PUNCTUATION.test(last);
    return tight ? joined + text : `${joined} ${text}`;
  }, '');
}

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const word of small) if (large.has(word)) shared++;
  return shared / (a.size + b.size - shared);
}

/** Cuts text to at most `max` characters at a word boundary, marking the cut with "…". */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, Math.max(1, max - 1));
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
