import assert from 'node:assert/strict';

import { isBoilerplate } from '../src/summarize/boilerplate.js';
import { summarizeExtractive } from '../src/summarize/extractive.js';
import { splitSentences } from '../src/summarize/sentences.js';
import { WorkerPool } from '../src/worker/pool.js';
import { corpusFile } from './support/paths.js';

const CONTENT = [
  'The harbour authority will dredge the north channel next spring to let larger ships in.',
  'Ships longer than two hundred metres must use the south channel while the work goes on.',
  'The dredging costs twelve million euros, shared between the port and the city council.',
  'Fishing boats keep their berths, and only the ferry timetable changes during the works.',
].join('\n');

/** The gist's sentences, then the key points. */
function allPoints(summary: { gist: string; keyPoints: string[] }): string[] {
  return [...splitSentences(summary.gist).map((sentence) => sentence.text), ...summary.keyPoints];
}

function assertOnlyContent(summary: { gist: string; keyPoints: string[] }): void {
  const points = allPoints(summary);
  assert.ok(points.length > 0, 'expected a summary');
  for (const point of points) assert.ok(CONTENT.includes(point), `not content: ${point}`);
}

describe('the built-in summarizer and boilerplate', () => {
  it('skips a licence page and starts from the document’s own content', () => {
    const licence = [
      'Copyright © 2024 The Harbour Authority.',
      'Permission is granted to copy, distribute and/or modify this document under the terms ' +
        'of the GNU Free Documentation License, Version 1.3 or any later version.',
      'A copy of the license is included in the section entitled “GNU Free Documentation License”.',
      'Published by the Harbour Authority Press in the city of Springfield last year.',
    ].join('\n');
    const text = ['Dredging the North Channel', licence, CONTENT].join('\n\n');

    assertOnlyContent(summarizeExtractive(text, { maxKeyPoints: 10 }));
  });

  it('skips a disclaimer and the notices around it', () => {
    const notices = [
      'Certain commercial entities, equipment, or materials may be identified in this document ' +
        'in order to describe an experimental procedure adequately.',
      'Such identification is not intended to imply recommendation or endorsement by the ' +
        'authority, nor that the materials are the best available for the purpose.',
      'The views, findings and conclusions in this report are those of the authors alone.',
      'This publication is available free of charge from the authority’s website.',
    ].join('\n');

    assertOnlyContent(summarizeExtractive([notices, CONTENT].join('\n\n'), { maxKeyPoints: 10 }));
  });

  it('skips a table of contents', () => {
    const contents = [
      'Contents',
      '1 Why the channel is dredged . . . . . . . . . . . . . . 3',
      '2 What changes for ships and ferries during the work . . . . 7',
      '2.1 Large ships and the south channel ........................ 8',
      '2.2 Fishing boats and ferries ................................ 9',
      '3 Costs and who pays them . . . . . . . . . . . . . . . . . 12',
    ].join('\n');

    assertOnlyContent(summarizeExtractive([contents, CONTENT].join('\n\n'), { maxKeyPoints: 10 }));
  });

  it('skips affiliations, keyword lists and how-to-cite notes of a paper', () => {
    const front = [
      '1 Universidade Federal do Paraná, Departamento de Ciência da Informação, Curitiba, Brasil.',
      'How to cite: Silva, A.B., Souza, C.D. Dredging the north channel. Port Studies 4: 1–9.',
      'Keywords: harbour; dredging; shipping; port finance; ferries; fishing boats.',
      'Correspondence to: A. B. Silva, harbour studies group, north quay building.',
    ].join('\n');

    assertOnlyContent(summarizeExtractive([front, CONTENT].join('\n\n'), { maxKeyPoints: 10 }));
  });

  it('summarizes a document that is nothing but a licence from the licence itself', () => {
    const licence =
      'You may copy and distribute the Document in any medium, provided that this License and ' +
      'the license notice are reproduced in all copies. You may not sublicense the Document ' +
      'except as expressly provided under this License.';
    assert.ok(summarizeExtractive(licence).gist.length > 0);
  });

  it('keeps writing about copyright that is not itself a notice', () => {
    for (const sentence of [
      'If the use that Else wanted to make of the Simpsons copyright were restricted by the law, ' +
        'he would need the permission of the copyright owner.',
      'The court held that the licence fee was reasonable under the statute.',
      'The survey found that nitrate levels fell by a third since 2015.',
      'Costs rose to 7.2 million, from 5.1 million in 2.5 years.',
    ]) {
      assert.equal(isBoilerplate(sentence), false, sentence);
    }
  });
});

describe('the built-in summarizer on corpus PDFs read by the worker pool', function () {
  this.timeout(120_000);
  let pool: WorkerPool;
  const limits = { maxPages: 3000, maxChars: 4_000_000 };

  before(async () => {
    pool = new WorkerPool({ size: 2, taskTimeoutMs: 60_000 });
    await pool.start();
  });

  after(async () => {
    await pool.close();
  });

  async function summaryOf(name: string): Promise<string[]> {
    const document = await pool.extract(corpusFile(name), limits);
    const summary = await pool.summarize(document.text, {});
    return allPoints(summary);
  }

  for (const [name, what, unwanted] of [
    ['c017.pdf', 'the GNU FDL notice of a Chinese LaTeX manual', /GNU|License|Permission/],
    ['c013.pdf', 'the disclaimer of a NIST publication', /endorsement|NIST in accordance/],
    ['c010.pdf', 'the contents of an IRS manual', /(?:\d+\.\d+\.\d+\S*\s.*){3}/],
    ['c005.pdf', 'the copyright page of a book', /All rights reserved|no part of this/i],
  ] as const) {
    it(`passes over ${what} (${name})`, async () => {
      const points = await summaryOf(name);
      assert.ok(points.length >= 3, `expected a summary, got ${points.length} sentences`);
      for (const point of points) {
        assert.doesNotMatch(point, unwanted);
        assert.equal(isBoilerplate(point), false, point);
      }
    });
  }
});
