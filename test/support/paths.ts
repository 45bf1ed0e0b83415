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
