import path from 'node:path';

/**
 * The shared test material lives beside the project checkout, never inside it. Tests run from
 * the project root (mocha's working directory), so it is found relative to that.
 */
export const sharedDir = path.resolve(process.env.PDF_SUMMARIZER_SHARED_DIR ?? '../shared');
export const corpusDir = path.join(sharedDir, 'corpus');
export const evalDir = path.join(sharedDir, 'eval');

export function corpusFile(name: string): string {
  return path.join(corpusDir, name);
}

/**
 * Text PDFs of the corpus that read in well under two seconds each: 1 to 400 pages, Latin, CJK
 * and right-to-left scripts, forms. The crash tests and the throughput benchmark use this set.
 */
export const QUICK_TEXT_PDFS: string[] = [
  'c001.pdf',
  'c002.pdf',
  'c003.pdf',
  'c004.pdf',
  'c005.pdf',
  'c010.pdf',
  'c012.pdf',
  'c013.pdf',
  'c014.pdf',
  'c015.pdf',
  'c016.pdf',
  'c017.pdf',
  'c019.pdf',
  'c021.pdf',
  'c024.pdf',
  'c026.pdf',
  'c027.pdf',
  'c033.pdf',
  'c040.pdf',
  'c042.pdf',
  'c048.pdf',
  'c057.pdf',
  'c060.pdf',
  'c066.pdf',
];
