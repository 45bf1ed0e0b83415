/**
 * Sentences that belong to a document's packaging rather than its content: licence and
 * copyright notices, disclaimers, tables of contents, "how to cite" notes, affiliations and
 * keyword lists. Real PDFs open with them (a book's copyright page, a report's disclaimer, a
 * manual's contents, a paper's affiliations), exactly where the position prior looks first.
 *
 * A sentence is boilerplate by its wording, or by its density of licence vocabulary (a licence
 * text says "License" in nearly every sentence; a book about copyright does not say "licensee"
 * or "merchantability"). A block (a page of extracted text) where a third or more of the
 * sentences are boilerplate is boilerplate as a whole, so that the innocent sentences of a
 * copyright page ("Published by …") go with it; headings and other short lines do not count.
 *
 * Known limit: the wordings are English, with some Portuguese, Spanish, French, German and
 * Italian; and a document about licensing loses its sentences dense in licence vocabulary.
 */
import type { Sentence } from './sentences.js';

const PATTERNS: RegExp[] = [
  // Licences and rights.
  /permission is (?:hereby )?granted|under the terms of (?:the|this)/iu,
  /gnu (?:free documentation|(?:lesser |library )?general public) licen[cs]e/iu,
  /creative commons|(?:licensed|distributed|released|published) under (?:the|a|an)\b.{0,40}licen/iu,
  /all rights reserved|todos os direitos reservados|todos los derechos reservados/iu,
  /tous droits réservés|alle rechte vorbehalten|tutti i diritti riservati/iu,
  /no part of this (?:publication|book|document|work|report) may be/iu,
  /without (?:the )?(?:prior |express )*written permission/iu,
  /(?:copyright|©|\(c\))\s*(?:©\s*)?(?:\d{4}|by\b)|\bISBN[\s:-]*\d|\bISSN[\s:-]*\d/iu,
  /open[- ]access (?:article|journal)|acesso aberto|acceso abierto/iu,
  /is an? (?:registered )?trademark/iu,
  // Licence texts name themselves with a capital: "this License", "the Licensor".
  /\b(?:this|the) Licen[cs](?:e|or|ee)\b/u,
  // Disclaimers and notices.
  /not intended to imply (?:recommendation|endorsement)/iu,
  /do(?:es)? not necessarily (?:reflect|represent)|provided ["“]?as is["”]?/iu,
  /(?:opinions|views),? findings,? (?:and|or) conclusions/iu,
  /without (?:any )?warrant(?:y|ies)|for (?:general )?informational purposes only/iu,
  /subject to formal revision before publication|notify the reporter of decisions/iu,
  /(?:is|are) available free of charge from|certain commercial (?:entities|equipment|products)/iu,
  /in accordance with its (?:assigned )?statutory responsibilities/iu,
  /(?:is|are) not subject to copyright|should not be (?:construed|interpreted) as/iu,
  /nothing in this (?:publication|document|report) should be/iu,
  // Front matter of papers: citation notes, dates, correspondence, keywords, affiliations.
  /^(?:how to cite|como citar|cómo citar|cite this|to cite|citation:)/iu,
  /^(?:received|accepted|revised|published online)\b.{0,40}\d{4}/iu,
  /^(?:recebido|aceito|recibido|aceptado)\b.{0,40}\d{4}/iu,
  /correspond(?:ence|ing author|ência|encia)\b|^(?:e-?mail|tel|fax)\s*:/iu,
  /^(?:keywords|key words|palavras-chave|palabras[- ]clave|mots[- ]clés|schlüsselwörter)\b/iu,
  /^index terms\b/iu,
  new RegExp(
    '^[\\d*†‡\\s]*(?:university|universidad|universidade|université|universität|department|' +
      'dept\\.|departamento|faculty|facultad|faculdade|institute|instituto|institut|school of|' +
      'laboratory|centre for|center for)\\b',
    'iu',
  ),
  // Author lists in a reference: "Neves, A.M., Morais, S.M. & …".
  new RegExp(
    "^(?:\\p{Lu}[\\p{L}'’-]+,\\s(?:\\p{Lu}\\.\\s?)+[,;&]\\s*)+" +
      "(?:and\\s|&\\s|e\\s|y\\s)?\\p{Lu}[\\p{L}'’-]+,\\s(?:\\p{Lu}\\.\\s?)+",
    'u',
  ),
  // Tables of contents: a section number first and a page number last, or a section number last.
  /^§?\d+(?:\.\d+)+\.?\s+\S.*\s\d{1,4}$/u,
  /\s\d+(?:\.\d+){2,}\.?$/u,
];

/** A running head is a short line that opens or closes at least this many pages. */
const LEAST_HEAD_REPEATS = 3;
const MOST_HEAD_CHARS = 80;

/** Dot leaders of a contents line and the page number after them: ". . . . . 5". */
const LEADERS = /[ \t]*(?:[.·…][ \t]?){4,}[ \t]*\d{0,4}[ \t]*$/gmu;

/** Words of licence texts, not of writing about rights in general. */
const LEGAL_WORDS = new RegExp(
  '\\b(?:licen[cs]e[sd]?|licensee|licensor|sublicen[cs]e|warrant(?:y|ies)|merchantability|' +
    'liabilit(?:y|ies)|liable|verbatim|invariant|royalt(?:y|ies)|hereby|herein|hereunder|' +
    'thereof|notwithstanding|indemnif\\w*|disclaim\\w*)\\b',
  'giu',
);
const LEAST_LEGAL_WORDS = 2;
/**
 * Section numbers such as "2.3.59-15" or "1.3.1" (not decimals such as "7.2"): three or more in
 * one sentence make a contents list.
 */
const SECTION_NUMBER = /\b\d+(?:\.\d+){2,}(?:-\d+)?\b|\b\d+\.\d+-\d+\b/gu;
const MOST_SECTION_NUMBERS = 2;
/** Numbered headings run together without end punctuation: contents lines joined as one. */
const NUMBERED_HEADING = /(?:^|\s)\d{1,2}(?:\.\d{1,2})*\.?\s+\p{Lu}/gu;
const MOST_NUMBERED_HEADINGS = 2;
const TERMINATED = /[.!?。！？]["'”’)\]]*$/u;
/** A block is boilerplate when at least this share of its sentences is. */
const BLOCK_SHARE = 1 / 3;
/** Shorter sentences (headings, labels, stray numbers) do not count in a block's share. */
const COUNTED_CHARS = 40;

/**
 * The text without the dot leaders and page numbers of contents lines, which the sentence
 * splitter would otherwise cut into one "sentence" per dot.
 */
export function withoutLeaders(text: string): string {
  return text.replace(LEADERS, '');
}

/**
 * The text without running heads and feet that PDF clean-up keeps because they change with the
 * chapter ("24 第三章 文档元素", "Chapter 3 · Methods 41"): a short line that opens or
 * closes at least three pages (blocks), the same apart from its digits, is dropped there.
 */
export function withoutRunningHeads(text: string): string {
  const blocks = text.split(/\n[ \t]*\n/);
  const edges = blocks.map((block) => {
    const lines = block.split('\n');
    return { first: headKey(lines[0]), last: headKey(lines.at(-1)) };
  });
  const counts = new Map<string, number>();
  for (const { first, last } of edges) {
    for (const key of new Set([first, last])) {
      if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  const repeated = (key: string | undefined): boolean =>
    key !== undefined && (counts.get(key) ?? 0) >= LEAST_HEAD_REPEATS;
  if (![...counts.values()].some((count) => count >= LEAST_HEAD_REPEATS)) return text;

  return blocks
    .map((block, i) => {
      const lines = block.split('\n');
      if (lines.length > 1 && repeated(edges[i]?.last)) lines.pop();
      if (lines.length > 1 && repeated(edges[i]?.first)) lines.shift();
      return lines.join('\n');
    })
    .join('\n\n');
}

/** A line's identity as a running head: without digits and spaces; none for long lines. */
function headKey(line: string | undefined): string | undefined {
  if (line === undefined || line.length > MOST_HEAD_CHARS) return undefined;
  const key = line.replace(/[\d\s]+/gu, '');
  return key.length >= 2 ? key : undefined;
}

/** Whether each sentence is boilerplate, in the same order. */
export function boilerplateFlags(sentences: readonly Sentence[]): boolean[] {
  const flags = sentences.map((sentence) => isBoilerplate(sentence.text));
  const perBlock = new Map<number, { total: number; flagged: number }>();
  sentences.forEach((sentence, i) => {
    const counts = perBlock.get(sentence.block) ?? { total: 0, flagged: 0 };
    if (flags[i]) counts.flagged++;
    if (flags[i] || sentence.text.length >= COUNTED_CHARS) counts.total++;
    perBlock.set(sentence.block, counts);
  });
  return sentences.map((sentence, i) => {
    const counts = perBlock.get(sentence.block);
    const blockIsBoilerplate =
      counts !== undefined && counts.total >= 2 && counts.flagged >= counts.total * BLOCK_SHARE;
    return (flags[i] ?? false) || blockIsBoilerplate;
  });
}

export function isBoilerplate(text: string): boolean {
  if (PATTERNS.some((pattern) => pattern.test(text))) return true;
  if ((text.match(LEGAL_WORDS)?.length ?? 0) >= LEAST_LEGAL_WORDS) return true;
  if ((text.match(SECTION_NUMBER)?.length ?? 0) > MOST_SECTION_NUMBERS) return true;
  const headings = text.match(NUMBERED_HEADING)?.length ?? 0;
  return headings > MOST_NUMBERED_HEADINGS && !TERMINATED.test(text);
}
