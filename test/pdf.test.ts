import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

import { JobError } from '../src/errors.js';
import { getDocumentProxy } from 'unpdf';

import { cleanPages } from '../src/pdf/clean.js';
import { extractPdf } from '../src/pdf/extract.js';
import { checkPdfHeader } from '../src/pdf/sniff.js';
import { frameDamage, hasPageSizedImage } from '../src/pdf/structure.js';
import { isThaiMojibake, repairThai } from '../src/pdf/thai.js';
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
    assert.ok(c001.text.startsWith('Example document\n\nBeautiful is better than ugly.'));
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
    const error = await failure(extract('c025.pdf'), 'little_text');
    assert.match(error.userMessage, /almost no text \(20 characters on 2 pages\).*要約.*指定国/);
    assert.doesNotMatch(error.userMessage, /scan|no text layer/);
  });

  it('decodes Thai that pdf.js returns as Latin-1 mojibake', async () => {
    const doc = await extract('c020.pdf');
    const thai = doc.text.match(/\p{Script=Thai}/gu)?.length ?? 0;
    const latin1 = doc.text.match(/[\u00c0-\u00ff]/g)?.length ?? 0;
    assert.ok(thai > 55_000, `only ${thai} Thai characters`);
    assert.ok(latin1 < 100, `${latin1} Latin-1 letters left`);
    assert.match(doc.text, /บทแนะนำ LATEX 2ε/);
  });

  it('turns Arabic presentation forms into letters', async () => {
    const doc = await extract('c019.pdf');
    const forms = doc.text.match(/[\ufb50-\ufdff\ufe70-\ufeff]/g)?.length ?? 0;
    const arabic = doc.text.match(/\p{Script=Arabic}/gu)?.length ?? 0;
    assert.equal(forms, 0);
    assert.ok(arabic > 80_000, `only ${arabic} Arabic letters`);
  });

  it('marks partly garbled text so the reply can warn about it', async () => {
    assert.equal((await extract('c022.pdf')).garbled, true);
    assert.equal((await extract('c021.pdf')).garbled, false);
    assert.equal((await extract('c004.pdf')).garbled, false);
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
    const error = await failure(extract('c065.pdf'), 'unreadable_text');
    assert.match(error.message, /5 visible characters on 1 page, 0% of them letters/);
  });

  it('calls a page-sized image with a few stray characters a scan, quoting them', async () => {
    const error = await failure(extract('c034.pdf'), 'no_text');
    assert.match(error.userMessage, /no text layer: its pages are images.*“sw \|/);
  });

  it('quotes a real document with almost no text instead of calling it a scan', async () => {
    const cases = [
      ['c062.pdf', '坚持社会主义核心价值体系 增强文化自觉和文化自信'],
      ['c052.pdf', 'GIANT JBIG2 BOMB 100000x100000 = 1.16GB each'],
      ['c061.pdf', 'PDFM PDF EDITOR'],
    ] as const;
    for (const [name, text] of cases) {
      const error = await failure(extract(name), 'little_text');
      assert.ok(error.userMessage.includes(`All of it reads: “${text}”.`), error.userMessage);
      assert.doesNotMatch(error.userMessage, /scan|no text layer/);
    }
  });

  it('says damaged, quoting the little it could read, for a broken file', async () => {
    const cases = [
      ['c044.pdf', /no %PDF- header at offset 0/, 'Bug 1606566'],
      ['c050.pdf', /no startxref in the last 1,024 bytes/, 'pdf.js'],
      ['c051.pdf', /no startxref/, 'Fichier : Document 1 sans titre Page 1 sur 1 Hello World'],
    ] as const;
    for (const [name, detail, text] of cases) {
      const error = await failure(extract(name), 'damaged');
      assert.match(error.message, detail);
      assert.ok(error.userMessage.startsWith('This PDF is damaged, and I could read almost no'));
      assert.ok(error.userMessage.includes(`“${text}”`), error.userMessage);
    }
  });

  it('answers empty_document for a file whose page tree has no pages', async () => {
    // pdf.js reports one made-up blank page for it.
    const error = await failure(extract('c054.pdf'), 'empty_document');
    assert.match(error.userMessage, /empty or damaged: it contains no pages/);
  });

  it('refuses a dynamic XFA form instead of summarizing its placeholder', async () => {
    await failure(extract('c059.pdf'), 'xfa_form');
  });

  it('returns the filled-in values of an AcroForm', async () => {
    const doc = await extract('c058.pdf');
    assert.deepEqual(doc.formFields, ['First Name: Alice', 'First Name_2: Bob']);
  });

  it('drops leaked drawing operators and calls a file of fragments damaged', async () => {
    // 14 of 16 pages read, but page 1 is raw drawing operators and the rest a few fragments.
    const error = await failure(extract('c043.pdf'), 'damaged');
    assert.match(error.message, /found 1\d\d visible characters on 14 pages.*2 of its 16 pages/);
    assert.match(error.userMessage, /It begins: “4 Review of/);
    assert.doesNotMatch(error.userMessage, /\bT[jJdf]\b|F@¢/);
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

  it('counts as read only the pages whose text it kept when it stops at the limit', async () => {
    const doc = await extract('c005.pdf', { ...LIMITS, maxChars: 100_000 });
    assert.equal(doc.truncated, true);
    // The kept text ends on page `pagesRead`: its last words are printed on that page.
    const squeeze = (text: string) => text.normalize('NFKC').replace(/[\s\-\u00ad]/g, '');
    const tail = squeeze(doc.text).slice(-30);
    const pdf = await getDocumentProxy(await bytesOf('c005.pdf'), { verbosity: 0 });
    try {
      const pageText = async (number: number) => {
        const content = await (await pdf.getPage(number)).getTextContent();
        return squeeze(content.items.map((item) => ('str' in item ? item.str : '')).join(''));
      };
      assert.ok(
        (await pageText(doc.pagesRead)).includes(tail),
        `"${tail}" on page ${doc.pagesRead}`,
      );
      assert.ok(!(await pageText(doc.pagesRead + 1)).includes(tail));
    } finally {
      await pdf.destroy();
    }
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

  it('drops lines of leaked PDF drawing operators and counts them', () => {
    const junk = '(New)Tj 30.7052 0 Td (Adrian)Tj 36.1995 0 Td (Perv r F £';
    const { text, removed } = cleanPages([`Key distribution\n${junk}\nWe use 2 Tj of energy.`]);
    assert.equal(text, 'Key distribution\nWe use 2 Tj of energy.');
    assert.equal(removed.junkLines, 1);
  });

  it('normalizes presentation forms and ligatures, and drops Arabic tatweel', () => {
    // "ﬁnal", then "مسار" in presentation forms, then "ماية" stretched with tatweel.
    const { text } = cleanPages([
      '\ufb01nal \ufee3\ufeb4\ufe8e\ufead \u0645\u0627\u0640\u0640\u064a\u0629',
    ]);
    assert.equal(text, 'final \u0645\u0633\u0627\u0631 \u0645\u0627\u064a\u0629');
  });

  it('keeps Thai SARA AM whole after normalizing', () => {
    assert.equal(cleanPages(['บทแนะนำ']).text, 'บทแนะนำ');
  });

  it('says where each page starts in the joined text', () => {
    const { text, pageStarts } = cleanPages(['One.', '', 'Two ends in a hyph-', 'enated word.']);
    assert.equal(text, 'One.\n\nTwo ends in a hyphenated word.');
    assert.deepEqual(pageStarts, [0, 4, 6, 24]);
    assert.ok(text.slice(pageStarts[3]).startsWith('enated'));
  });

  it('keeps a line that recurs several times on each page, like a table cell', () => {
    const table = (n: number): string => `Heading\nTotal\n${n}1\nTotal\n${n}5\nTotal\n${n}8\nEnd`;
    const { text, removed } = cleanPages([table(1), table(2), table(3)]);
    assert.equal(removed.repeatedLines, 6); // "Heading" and "End", three pages each
    assert.equal(text.match(/Total/g)?.length, 9);
  });
});

describe('Thai mojibake repair', () => {
  // "ถ้าคุณสนใจเอกสาร" (if you are interested in the document) as TIS-620 codes read as Latin-1.
  const mojibake = '¶éÒ¤Ø³Ê¹ã¨àÍ¡ÊÒÃ';

  it('decodes a font whose letters are TIS-620 codes, keeping its Latin letters', () => {
    const items = [
      { str: `${mojibake} LaTeX`, fontName: 'thai' },
      { str: 'Universität', fontName: 'latin' },
    ];
    const verdicts = new Map<string, boolean>();
    assert.deepEqual(repairThai(items, verdicts), ['ถ้าคุณสนใจเอกสาร LaTeX', 'Universität']);
    assert.deepEqual([...verdicts], [['thai', true]]);
  });

  it('remembers a verdict for pages where the font has only a few characters', () => {
    const verdicts = new Map([['thai', true]]);
    assert.deepEqual(repairThai([{ str: '¡Ò', fontName: 'thai' }], verdicts), ['กา']);
  });

  it('leaves Cyrillic mojibake alone: it breaks Thai spelling once decoded', () => {
    // "Привет, как дела" in Windows-1251, read as Latin-1.
    const cyrillic = 'Ïðèâåò, êàê äåëà? Ïðèâåò, êàê äåëà?';
    assert.equal(isThaiMojibake(cyrillic), false);
    assert.equal(isThaiMojibake('Ça va très bien, merci. Déjà vu à la française.'), undefined);
  });
});

describe('file structure signals', () => {
  it('notices a missing header and a tail without startxref', async () => {
    assert.equal(frameDamage(await bytesOf('c001.pdf')), undefined);
    assert.match(frameDamage(await bytesOf('c044.pdf')) ?? '', /no %PDF- header/);
    assert.match(frameDamage(await bytesOf('c051.pdf')) ?? '', /no startxref/);
    assert.match(frameDamage(new Uint8Array(0)) ?? '', /no %PDF- header/);
  });

  it('finds page-sized images in scans, not in a page with a banner', async () => {
    assert.equal(hasPageSizedImage(await bytesOf('c034.pdf')), true);
    assert.equal(hasPageSizedImage(await bytesOf('c050.pdf')), true);
    assert.equal(hasPageSizedImage(await bytesOf('c062.pdf')), false);
    assert.equal(hasPageSizedImage(await bytesOf('c052.pdf')), false);
  });
});
