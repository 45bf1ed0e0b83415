import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

import { JobError } from '../src/errors.js';
import { cleanPages } from '../src/pdf/clean.js';
import { extractPdf } from '../src/pdf/extract.js';
import { checkPdfHeader } from '../src/pdf/sniff.js';
import type { ExtractLimits } from '../src/pdf/types.js';
import { corpusFile } from './support/paths.js';

const LIMITS: ExtractLimits = { maxPages: 2000, maxChars: 1_000_000 };

async function bytesOf(name: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(corpusFile(name)));
}

async function extract(name: string, limits = LIMITS) {
  return extractPdf(await bytesOf(name), limits);
}

/** Asserts that `promise` rejects with a JobError of `code` and returns that error. */
async function failure(promise: Promise<unknown>, code: string): Promise<JobError> {
  const error = await promise.then(
    () => assert.fail(`expected a JobError "${code}", but the promise resolved`),
    (reason: unknown) => reason,
  );
  assert.ok(error instanceof JobError, `expected a JobError, got ${String(error)}`);
  assert.equal(error.code, code, `expected code ${code}, got ${error.code}: ${error.message}`);
  return error;
}

function visible(text: string): number {
  return text.replace(/\s/g, '').length;
}

function throwsCode(run: () => void, code: string): void {
  assert.throws(run, (error: unknown) => error instanceof JobError && error.code === code);
}

describe('checkPdfHeader', () => {
  it('rejects a zero-byte file as empty', async () => {
    const bytes = await bytesOf('c055.pdf');
    throwsCode(() => checkPdfHeader(bytes, bytes.byteLength), 'empty_file');
  });

  it('rejects an HTML page saved as .pdf as not a PDF, saying what arrived', async () => {
    const bytes = await bytesOf('c056.pdf');
    assert.throws(
      () => checkPdfHeader(bytes, bytes.byteLength),
      (error: unknown) =>
        error instanceof JobError &&
        error.code === 'not_pdf' &&
        /expected a PDF.*got an HTML/.test(error.message),
    );
  });

  it('rejects PNG, ZIP and JPEG signatures as not a PDF', () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const zip = Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]);
    const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]);
    for (const bytes of [png, zip, jpeg]) throwsCode(() => checkPdfHeader(bytes, 4096), 'not_pdf');
  });

  it('accepts a PDF whose %PDF- header is missing but whose objects are intact', async () => {
    const bytes = await bytesOf('c044.pdf');
    assert.doesNotThrow(() => checkPdfHeader(bytes, bytes.byteLength));
  });

  it('rejects text with neither a %PDF- header nor an object keyword', () => {
    const bytes = new TextEncoder().encode('just some notes, saved with the wrong extension');
    throwsCode(() => checkPdfHeader(bytes, bytes.byteLength), 'not_pdf');
  });
});

describe('extractPdf', () => {
  it('reads ordinary text PDFs with all of their text', async () => {
    const c001 = await extract('c001.pdf');
    assert.equal(c001.pageCount, 1);
    assert.equal(c001.title, 'PDF Example Document');
    assert.ok(c001.text.startsWith('Example document\nBeautiful is better than ugly.'));
    assert.ok(visible(c001.text) > 880 && visible(c001.text) < 960, `${visible(c001.text)}`);

    const c004 = await extract('c004.pdf');
    assert.equal(c004.pagesRead, 14);
    assert.ok(visible(c004.text) > 65_000 && visible(c004.text) < 72_000);

    const c014 = await extract('c014.pdf');
    assert.equal(c014.pagesRead, 19);
    assert.ok(visible(c014.text) > 40_000 && visible(c014.text) < 45_000);
    assert.deepEqual(c014.failedPages, []);
    assert.equal(c014.truncated, false);
  });

  it('decodes Chinese text that needs the packaged CMap data', async () => {
    const doc = await extract('c017.pdf');
    const hanzi = doc.text.match(/\p{Script=Han}/gu)?.length ?? 0;
    assert.ok(doc.text.length >= 150_000, `only ${doc.text.length} characters`);
    assert.ok(hanzi > 40_000, `only ${hanzi} Han characters`);
  });

  it('decodes Japanese via a predefined CMap and quotes it as too short to summarize', async () => {
    // Without CMap data pdf.js returns nothing at all for this file; 20 characters come back.
    const error = await failure(extract('c025.pdf'), 'no_text');
    assert.match(error.userMessage, /要約.*指定国/);
  });

  it('refuses files that need a user password', async () => {
    for (const name of ['c036.pdf', 'c038.pdf']) {
      const error = await failure(extract(name), 'password_protected');
      assert.match(error.message, /needs a password/);
    }
  });

  it('opens files with only an owner password and reads them', async () => {
    const doc = await extract('c040.pdf');
    assert.equal(doc.pagesRead, 2);
    assert.match(doc.text, /LayoutParser/);
  });

  it('answers no_text for scans and text drawn as outlines', async () => {
    for (const name of ['c028.pdf', 'c035.pdf']) {
      const error = await failure(extract(name), 'no_text');
      assert.match(error.message, /found no text on 1 page read; expected at least 50 per page/);
    }
  });

  it('answers unreadable_text for fonts that map to no real letters', async () => {
    await failure(extract('c065.pdf'), 'unreadable_text');
    const thai = await failure(extract('c020.pdf'), 'unreadable_text');
    assert.match(thai.message, /of [\d,]+ letters are mojibake.*expected at most 30%/);
  });

  it('refuses a dynamic XFA form instead of summarizing its placeholder', async () => {
    await failure(extract('c059.pdf'), 'xfa_form');
  });

  it('returns the filled-in values of an AcroForm', async () => {
    const doc = await extract('c058.pdf');
    assert.deepEqual(doc.formFields, ['First Name: Alice', 'First Name_2: Bob']);
  });

  it('recovers the readable pages of a damaged file and lists the others', async () => {
    const doc = await extract('c043.pdf');
    assert.equal(doc.pageCount, 16);
    assert.equal(doc.pagesRead, 14);
    assert.deepEqual(doc.failedPages, [12, 16]);
  });

  it('answers damaged for a file whose structure cannot be read', async () => {
    for (const name of ['c045.pdf', 'c049.pdf']) {
      const error = await failure(extract(name), 'damaged');
      assert.match(error.message, /could not be opened \(InvalidPDFException/);
    }
  });

  it('refuses a document over the page limit before reading its pages', async () => {
    const error = await failure(extract('c014.pdf', { ...LIMITS, maxPages: 10 }), 'too_many_pages');
    assert.equal(error.message, 'PDF has 19 pages; the limit is 10');
  });

  it('stops reading at the character limit and says the text is truncated', async () => {
    const doc = await extract('c004.pdf', { ...LIMITS, maxChars: 5_000 });
    assert.equal(doc.truncated, true);
    assert.ok(doc.text.length <= 5_000 && doc.text.length > 4_000, `${doc.text.length}`);
    assert.ok(doc.pagesRead < 14);
  });

  it('drops a stamp printed on every page', async () => {
    const doc = await extract('c060.pdf');
    assert.doesNotMatch(doc.text, /demo version/);
    assert.match(doc.text, /Mathematics 418/);
    assert.ok(doc.removed.repeatedLines >= 3);
  });
});

describe('cleanPages', () => {
  const page = (n: number, body: string): string =>
    `ACME Annual Report 2024\n${body}\nConfidential draft · page ${n}\n${n}\n`;

  it('removes a running head and footer repeated on every page, and page numbers', () => {
    const bodies = ['Sales rose.', 'Costs fell.', 'Staff grew.', 'Outlook is calm.'];
    const pages = bodies.map((body, i) => page(i + 1, body));
    const { text, removed } = cleanPages(pages);
    assert.equal(text, 'Sales rose.\n\nCosts fell.\n\nStaff grew.\n\nOutlook is calm.');
    assert.equal(removed.repeatedLines, 8);
    assert.equal(removed.pageNumbers, 4);
  });

  it('joins a word hyphenated across a line break', () => {
    const { text } = cleanPages(['The commit-\nment was kept, but well-\nKnown names stayed.']);
    assert.equal(text, 'The commitment was kept, but well-\nKnown names stayed.');
  });

  it('strips control characters and bidi marks and counts them', () => {
    const { text, removed } = cleanPages(['a\u0002b\u200f c\u202b\u202cd\ufeff']);
    assert.equal(text, 'ab cd');
    assert.equal(removed.controlChars, 5);
  });

  it('collapses spaces and keeps a blank line between paragraphs', () => {
    const { text } = cleanPages(['  First   line\t here  \n\n\n\nSecond  paragraph\n']);
    assert.equal(text, 'First line here\n\nSecond paragraph');
  });

  it('keeps a line that recurs several times on each page, like a table cell', () => {
    const table = (n: number): string => `Heading\nTotal\n${n}1\nTotal\n${n}5\nTotal\n${n}8\nEnd`;
    const { text, removed } = cleanPages([table(1), table(2), table(3)]);
    assert.equal(removed.repeatedLines, 6); // "Heading" and "End", three pages each
    assert.equal(text.match(/Total/g)?.length, 9);
  });
});
