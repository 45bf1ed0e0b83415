import { corpusFile, textPdfs, type CorpusEntry } from './corpus.js';
import { PoolProbe } from './pool-client.js';
import type { ExtractReport } from './pool-protocol.js';
import { runPdftotext, type NativeRun } from './pdftotext.js';

/**
 * One pass over every text PDF of the corpus, smallest first, through the project's worker
 * pool (in a child process) and pdftotext: the figures of scenarios 4 and 5.
 */

/** Files shorter than this are timed three times (median); longer ones once. */
export const REPEAT_BELOW_PAGES = 100;
/** Text recovered may differ from pdftotext's by this share before a file is listed. */
export const CHAR_TOLERANCE = 0.05;

export interface FileFigures {
  entry: CorpusEntry;
  ours: ExtractReport;
  native: NativeRun[] | undefined;
  /** Characters of the page text before the project's clean-up. */
  rawChars?: number;
}

/**
 * True when the project's text differs from pdftotext's by more than the tolerance: the text
 * after clean-up, or with `before: true` the page text as extracted, before it.
 */
export function textDiffers(f: FileFigures, before = false): boolean {
  const theirs = f.native?.[0]?.chars;
  const ours = before ? f.rawChars : f.ours.chars;
  if (theirs === undefined || ours === undefined || f.ours.error) return false;
  return Math.abs(ours - theirs) > CHAR_TOLERANCE * Math.max(theirs, 1);
}

/** Runs every text PDF through the pool probe and pdftotext, smallest first. */
export async function measure(nativeOk: boolean): Promise<{
  files: FileFigures[];
  baselineMb: number;
  oneWorkerMb: number;
}> {
  const { probe, baselineMb, startedMb } = await PoolProbe.start(1);
  try {
    // Warm the thread (JIT, pdf.js caches) on two small files; these runs are not counted.
    await probe.extract('c001.pdf', 2);
    await probe.extract('c004.pdf', 1);
    const files: FileFigures[] = [];
    const entries = textPdfs().sort((a, b) => a.sizeBytes - b.sizeBytes);
    for (const entry of entries) {
      const repeat = entry.pages < REPEAT_BELOW_PAGES ? 3 : 1;
      const ours = await probe.extract(entry.file, repeat);
      let native: NativeRun[] | undefined;
      if (nativeOk) {
        native = [];
        for (let i = 0; i < repeat; i++) native.push(await runPdftotext(corpusFile(entry.file)));
      }
      files.push({ entry, ours, native });
    }
    // Only now: reading on the probe's main thread would raise the memory figures above.
    for (const figures of files.filter((f) => !f.ours.error)) {
      figures.rawChars = await probe.rawChars(figures.entry.file);
    }
    return { files, baselineMb, oneWorkerMb: startedMb - baselineMb };
  } finally {
    await probe.stop();
  }
}
