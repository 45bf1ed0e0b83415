/**
 * The passes over a whole document that the model path makes before its first request: the
 * token estimate, the language, and the cut into parts. They are linear in the text, which for
 * a manual of a few thousand pages means a few hundred milliseconds; the bridge runs them in a
 * worker thread ({@link TextScanner} over the pool) so that its main thread keeps answering the
 * homeserver. Small tools with no pool (tests, the evaluation) run them in-process.
 */
import { splitIntoChunks, type Chunk, type ChunkOptions } from './chunk.js';
import { detectLanguage, type LanguageGuess } from './language.js';
import { tokenWeight } from './tokens.js';

export interface TextMeasure {
  /** Estimated tokens of the text, unrounded (see {@link tokenWeight}). */
  weight: number;
  /** The language the text is written in, when it is clear. */
  language: LanguageGuess | undefined;
}

/** Where one part of a text starts and ends, and its estimated tokens; no text is carried. */
export type ChunkBounds = Omit<Chunk, 'text'>;

export interface TextScanner {
  measure(text: string, signal?: AbortSignal): Promise<TextMeasure>;
  /** The text cut as {@link splitIntoChunks} would cut it. */
  split(text: string, options: ChunkOptions, signal?: AbortSignal): Promise<ChunkBounds[]>;
}

export function measureText(text: string): TextMeasure {
  return { weight: tokenWeight(text), language: detectLanguage(text) };
}

export function chunkBounds(text: string, options: ChunkOptions): ChunkBounds[] {
  return splitIntoChunks(text, options).map(({ start, end, tokens }) => ({ start, end, tokens }));
}

/** The parts themselves, from bounds computed elsewhere on the same text. */
export function chunksOf(text: string, bounds: readonly ChunkBounds[]): Chunk[] {
  return bounds.map((bound) => ({ ...bound, text: text.slice(bound.start, bound.end).trim() }));
}

/** Runs the passes on the calling thread. */
export const inProcessScanner: TextScanner = {
  measure: (text) => Promise.resolve(measureText(text)),
  split: (text, options) => Promise.resolve(chunkBounds(text, options)),
};

/**
 * The same scanner, measuring a text once for all the summarizers that share it: the summary and
 * each extra analysis of one job ask for the same text's measure under the same signal.
 */
export function sharedMeasure(scanner: TextScanner): TextScanner {
  let last: { text: string; signal?: AbortSignal; measure: Promise<TextMeasure> } | undefined;
  return {
    measure(text, signal) {
      if (last && last.signal === signal && last.text === text) return last.measure;
      const measure = scanner.measure(text, signal);
      // A failed measure (an aborted job) is not kept for the next caller.
      measure.catch(() => {
        if (last?.measure === measure) last = undefined;
      });
      last = { text, signal, measure };
      return measure;
    },
    split: (text, options, signal) => scanner.split(text, options, signal),
  };
}
