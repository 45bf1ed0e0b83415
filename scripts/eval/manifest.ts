import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** One row of `../shared/eval/MANIFEST.tsv`. */
export interface EvalEntry {
  /** "e001" */
  id: string;
  /** Absolute paths of the PDF and its reference summary. */
  pdf: string;
  reference: string;
  pages: number;
  /** ISO 639-1 code. */
  language: string;
  /** "paper", "rule", "opinion" or "report". */
  kind: string;
  /** The MANIFEST's own words on what to remove from the input, for messages. */
  removeFromInput: string;
}

const COLUMNS = ['file', 'pages', 'language', 'kind', 'remove_from_input'] as const;

/** Reads the manifest; throws naming the column if one this script needs is missing. */
export async function readManifest(evalDir: string): Promise<EvalEntry[]> {
  const text = await readFile(path.join(evalDir, 'MANIFEST.tsv'), 'utf8');
  const [head = '', ...rows] = text.split('\n').filter((line) => line.trim());
  const names = head.split('\t');
  const at = Object.fromEntries(
    COLUMNS.map((column) => {
      const index = names.indexOf(column);
      if (index < 0)
        throw new Error(`MANIFEST.tsv has no column "${column}"; got ${names.join(', ')}`);
      return [column, index];
    }),
  ) as Record<(typeof COLUMNS)[number], number>;

  return rows.map((row) => {
    const cells = row.split('\t');
    const file = cells[at.file] ?? '';
    const id = file.replace(/\.pdf$/, '');
    return {
      id,
      pdf: path.join(evalDir, file),
      reference: path.join(evalDir, `${id}.ref.txt`),
      pages: Number(cells[at.pages]),
      language: cells[at.language] ?? '',
      kind: cells[at.kind] ?? '',
      removeFromInput: cells[at.remove_from_input] ?? '',
    };
  });
}
