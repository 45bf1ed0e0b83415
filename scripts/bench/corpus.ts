import { readFileSync } from 'node:fs';

import { QUICK_TEXT_PDFS, corpusDir, corpusFile } from '../../test/support/paths.js';

export { corpusFile };

/** One row of the corpus's MANIFEST.tsv, the columns the benchmark needs. */
export interface CorpusEntry {
  file: string;
  sizeBytes: number;
  /** Pages per pdfinfo; NaN where it could not tell ("n/a"). */
  pages: number;
  properties: string;
  /** What a user should be told: "summarize …", "say 'password protected'", … */
  action: string;
}

/** The 24 quick text PDFs the crash tests use too. */
export const THROUGHPUT_PDFS = QUICK_TEXT_PDFS;

/** Every row of MANIFEST.tsv. */
export function readManifest(): CorpusEntry[] {
  const text = readFileSync(`${corpusDir}/MANIFEST.tsv`, 'utf8');
  const [header, ...lines] = text.split('\n').filter((line) => line.trim() !== '');
  const columns = (header ?? '').split('\t');
  const at = (name: string) => {
    const index = columns.indexOf(name);
    if (index < 0) throw new Error(`MANIFEST.tsv: expected a "${name}" column, got ${columns}`);
    return index;
  };
  const [file, size, pages, properties, action] = [
    'file',
    'size_bytes',
    'pages',
    'properties',
    'summarizer_action',
  ].map(at) as [number, number, number, number, number];
  return lines.map((line) => {
    const cells = line.split('\t');
    return {
      file: cells[file] ?? '',
      sizeBytes: Number(cells[size]),
      pages: Number(cells[pages]),
      properties: cells[properties] ?? '',
      action: cells[action] ?? '',
    };
  });
}

/** The files a user gets a summary of: the manifest says "summarize" and gives a page count. */
export function textPdfs(): CorpusEntry[] {
  return readManifest().filter((entry) => entry.action.startsWith('summarize') && entry.pages > 0);
}

/** The text PDF with the most pages (the 2,415-page manual). */
export function longestPdf(): CorpusEntry {
  const entries = textPdfs();
  return entries.reduce((best, entry) => (entry.pages > best.pages ? entry : best), entries[0]!);
}
