import assert from 'node:assert/strict';

import { acknowledgement, answer, clip, displayName } from '../src/matrix/content.js';
import type { Job } from '../src/queue/jobs.js';
import type { SummaryResult } from '../src/queue/result.js';

function job(overrides: Partial<Job> = {}): Job {
  return {
    id: 7,
    eventId: '$upload',
    roomId: '!room:test',
    sender: '@alice:test',
    threadRoot: null,
    fileName: 'report.pdf',
    mxcUrl: 'mxc://test/abc',
    mimetype: 'application/pdf',
    declaredSize: 100,
    status: 'completed',
    attempts: 1,
    runAfter: 0,
    leaseUntil: null,
    ackedAt: null,
    result: null,
    summaryKey: null,
    lastError: null,
    deliveredAt: null,
    createdAt: 0,
    updatedAt: 0,
    ...overrides,
  };
}

function summary(overrides: Partial<SummaryResult> = {}): SummaryResult {
  return {
    kind: 'summary',
    pageCount: 12,
    pagesRead: 12,
    failedPages: 0,
    truncated: false,
    garbled: false,
    analyses: [],
    gist: 'The report covers the year.',
    keyPoints: ['Income rose.', 'Costs fell.'],
    formFields: [],
    producer: 'built-in',
    fellBack: false,
    ...overrides,
  };
}

const bytes = (content: object) => Buffer.byteLength(JSON.stringify(content));

describe('reply content', () => {
  it('replies to the upload as a notice that mentions nobody, without a fallback', () => {
    const content = acknowledgement(job());
    assert.equal(content.msgtype, 'm.notice');
    assert.deepEqual(content['m.mentions'], {});
    assert.deepEqual(content['m.relates_to'], { 'm.in_reply_to': { event_id: '$upload' } });
    assert.doesNotMatch(content.body, /^>/, 'no quoted fallback');
  });

  it('escapes markup from the PDF and neutralises mentions in body and HTML', () => {
    const content = answer(
      job({ fileName: '<img src=x onerror=alert(1)>.pdf' }),
      summary({
        gist: 'Hello @room, see <a href="javascript:alert(1)">this</a> & @bob:example.org.',
        keyPoints: ['<script>alert(1)</script>'],
      }),
    )[0]!;
    const html = content.formatted_body!;
    assert.doesNotMatch(html, /<img|<a |<script/);
    assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
    for (const text of [content.body, html]) {
      assert.doesNotMatch(text, /@room/);
      assert.doesNotMatch(text, /@bob:example\.org/);
    }
  });

  it('splits a summary too long for one event into several, losing no key point', () => {
    const huge = summary({
      gist: 'A'.repeat(20_000),
      keyPoints: Array.from({ length: 20 }, (_, i) => `Point ${i} ${'é'.repeat(1_990)}`),
    });
    const parts = answer(job(), huge);
    assert.ok(parts.length > 1);
    for (const [index, part] of parts.entries()) {
      assert.ok(bytes(part) <= 60_000, `part ${index + 1} is ${bytes(part)} bytes`);
      assert.match(part.body, new RegExp(`part ${index + 1} of ${parts.length}\\)`));
      assert.deepEqual(part['m.relates_to'], { 'm.in_reply_to': { event_id: '$upload' } });
    }
    const all = parts.map((part) => part.body).join('\n');
    for (let i = 0; i < 20; i++) assert.match(all, new RegExp(`• Point ${i} `));
    assert.match(parts[0]!.body, /^Summary of "report\.pdf" \(12 pages, part 1 of \d\)\n\nA/);
  });

  it('keeps an ordinary summary in one message', () => {
    const parts = answer(job(), summary());
    assert.equal(parts.length, 1);
    assert.match(parts[0]!.body, /^Summary of "report\.pdf" \(12 pages\)\n\nThe report/);
  });

  it('never cuts a character in half', () => {
    const name = `${'a'.repeat(78)}😀tail.pdf`;
    const shown = displayName(name);
    assert.ok(shown.length <= 80);
    assert.doesNotMatch(shown, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])/, 'no lone high surrogate');
    assert.equal(clip('ab😀cd', 4), 'ab…');
  });

  it('removes bidi controls from file names', () => {
    assert.equal(displayName('invoice\u202Efdp.exe'), 'invoicefdp.exe');
    assert.equal(displayName('a\u200F\u061Cb.pdf'), 'ab.pdf');
  });

  it('strips bullets the document carried and lists form fields and notes', () => {
    const content = answer(
      job(),
      summary({
        keyPoints: ['• First point.', '- Second point.'],
        formFields: ['First Name: Alice'],
        failedPages: 2,
        truncated: true,
        pagesRead: 10,
      }),
    )[0]!;
    assert.match(content.body, /\n• First point\.\n• Second point\./);
    assert.match(content.body, /Filled-in form fields:\n• First Name: Alice/);
    assert.match(content.body, /2 pages could not be read/);
    assert.match(content.body, /only its first 10 of 12 pages were read/);
  });
});
