/**
 * Long generated documents with one unique fact planted in each section, for measuring whether
 * every part of a long document reaches the final summary.
 *
 * Everything comes from a seeded generator, so a document is the same on every run. Sections
 * open with a numbered heading and hold a few paragraphs of filler prose; one sentence per
 * section, at a random place in it, is the fact: "Planted fact 17: the archive code of the
 * harbour office is K17-4821." Its code appears nowhere else.
 */
import type { SimplePage } from '../../test/support/pdf-writer.js';

/** Matches a planted fact sentence; a model stand-in keeps the sentences that match. */
export const FACT_PATTERN = /Planted fact \d+:/;

export interface PlantedFact {
  /** Section number, from 1. */
  section: number;
  /** The unique code; a summary that contains it kept the fact. */
  code: string;
  sentence: string;
}

export interface PlantedDocument {
  title: string;
  /** The document as plain text: sections separated by blank lines, paragraphs by line breaks. */
  text: string;
  /** The same document laid out for `writeTextPdf`. */
  pages: SimplePage[];
  facts: PlantedFact[];
}

const SUBJECTS = [
  'the harbour office',
  'the regional council',
  'the water board',
  'the school district',
  'the hospital trust',
  'the rail operator',
  'the energy agency',
  'the farming cooperative',
  'the museum foundation',
  'the housing authority',
];
const VERBS = [
  'reviewed',
  'approved',
  'postponed',
  'measured',
  'funded',
  'questioned',
  'expanded',
  'reorganised',
  'inspected',
  'published',
];
const OBJECTS = [
  'the annual maintenance plan',
  'a survey of local suppliers',
  'the schedule for the coming season',
  'new rules for public access',
  'the budget for small repairs',
  'a study of traffic at peak hours',
  'the report on staff training',
  'an audit of the storage sites',
  'the contract for waste collection',
  'a pilot for shared transport',
];
const CLAUSES = [
  'after a long consultation with residents',
  'because costs had risen since the spring',
  'although several members asked for more time',
  'with support from two neighbouring towns',
  'as required by the national guidelines',
  'following complaints about delays',
  'in line with the earlier recommendations',
  'without changing the overall targets',
];
const TOPICS = [
  'Harbour operations',
  'Water quality',
  'School transport',
  'Hospital services',
  'Rail maintenance',
  'Energy savings',
  'Farm subsidies',
  'Museum collections',
  'Housing repairs',
  'Public finances',
];
const ITEMS = ['archive code', 'permit number', 'site reference', 'ledger entry', 'file mark'];

/** Lines on one page of `writeTextPdf` (its pages hold 46), keeping a margin. */
const LINES_PER_PAGE = 44;
const CHARS_PER_LINE = 90;

export function plantedDocument(sectionCount: number, seed = 1): PlantedDocument {
  const random = generator(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const sentence = (): string => {
    const text = `${pick(SUBJECTS)} ${pick(VERBS)} ${pick(OBJECTS)} ${pick(CLAUSES)}.`;
    return text[0]?.toUpperCase() + text.slice(1);
  };

  const title = `Report on ${sectionCount} local services`;
  const facts: PlantedFact[] = [];
  const sections: string[][] = [];
  for (let section = 1; section <= sectionCount; section++) {
    const paragraphs = Array.from({ length: 3 + Math.floor(random() * 3) }, () =>
      Array.from({ length: 3 + Math.floor(random() * 4) }, sentence),
    );
    const code = `K${section}-${String(1000 + Math.floor(random() * 9000))}`;
    const fact = `Planted fact ${section}: the ${pick(ITEMS)} of ${pick(SUBJECTS)} is ${code}.`;
    const paragraph = paragraphs[Math.floor(random() * paragraphs.length)] ?? [];
    paragraph.splice(Math.floor(random() * (paragraph.length + 1)), 0, fact);
    facts.push({ section, code, sentence: fact });
    sections.push([
      `${section} ${pick(TOPICS)}`,
      ...paragraphs.map((sentences) => sentences.join(' ')),
    ]);
  }

  const text = [title, ...sections.map((lines) => lines.join('\n'))].join('\n\n');
  return { title, text, pages: paginate([title, ...sections.flat()]), facts };
}

/** Fills pages paragraph by paragraph, as `writeTextPdf` wraps them, never past a page. */
function paginate(paragraphs: string[]): SimplePage[] {
  const pages: SimplePage[] = [];
  let current: string[] = [];
  let used = 0;
  for (const paragraph of paragraphs) {
    const lines = Math.ceil(paragraph.length / (CHARS_PER_LINE - 10)) + 1;
    if (used + lines > LINES_PER_PAGE && current.length > 0) {
      pages.push({ paragraphs: current });
      current = [];
      used = 0;
    }
    current.push(paragraph);
    used += lines;
  }
  if (current.length > 0) pages.push({ paragraphs: current });
  return pages;
}

/** A small linear congruential generator: the same numbers for the same seed. */
function generator(seed: number): () => number {
  let state = (seed * 2654435761) % 2147483648;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}
