import type { Job } from '../queue/jobs.js';
import type { AnalysisResult, FailureResult, JobResult, SummaryResult } from '../queue/result.js';

/**
 * The messages the bot posts. Every one is an `m.notice` (bots' messages must never trigger
 * other bots), carries an empty `m.mentions` (it pings nobody), and replies to the upload without
 * the deprecated fallback that would copy the original's text. All text from the PDF, the model
 * or the uploader is escaped before it goes into HTML, and mention-like text is neutralised.
 */
export interface NoticeContent {
  msgtype: 'm.notice';
  body: string;
  format?: 'org.matrix.custom.html';
  formatted_body?: string;
  'm.mentions': Record<string, never>;
  'm.relates_to'?: Record<string, unknown>;
}

/**
 * Events are limited to 64 KiB as the homeserver stores them (with their envelope), so the
 * content of one reply is kept under 60,000 bytes of JSON.
 */
const MAX_CONTENT_BYTES = 60_000;
const MAX_GIST_CHARS = 8_000;
const MAX_POINT_CHARS = 2_000;

export function acknowledgement(job: Job): NoticeContent {
  const name = displayName(job.fileName);
  return reply(job, {
    body: `Working on "${name}". I will reply here with its summary.`,
    html: `Working on <code>${escapeHtml(name)}</code>. I will reply here with its summary.`,
  });
}

/**
 * The answer to an upload: the summary, then one reply per extra analysis. A text too long for
 * one event becomes several messages: the first carries the title, the gist and the notes; the
 * others continue the lists.
 */
export function answer(job: Job, result: JobResult): NoticeContent[] {
  if (result.kind === 'failure') return [failureMessage(job, result)];
  const name = displayName(job.fileName);
  const pages = `${result.pageCount} page${result.pageCount === 1 ? '' : 's'}`;
  const summary = splitMessages(job, {
    title: `Summary of "${name}"`,
    titleHtml: `Summary of <code>${escapeHtml(name)}</code>`,
    detail: pages,
    gist: result.gist,
    points: result.keyPoints,
    fields: result.formFields,
    notes: summaryNotes(result),
  });
  const analyses = result.analyses.flatMap((analysis) => analysisMessages(job, analysis));
  return [...summary, ...analyses];
}

function analysisMessages(job: Job, analysis: AnalysisResult): NoticeContent[] {
  const name = displayName(job.fileName);
  const title = clip(neutralise(analysis.name), 60);
  return splitMessages(job, {
    title: `${title} on "${name}"`,
    titleHtml: `${escapeHtml(title)} on <code>${escapeHtml(name)}</code>`,
    detail: analysis.failure ? 'not available' : clip(neutralise(analysis.producer), 80),
    gist: analysis.failure ?? analysis.gist,
    points: analysis.keyPoints,
    fields: [],
    notes: [],
  });
}

interface Answer {
  title: string;
  titleHtml: string;
  /** Shown in brackets after the title, e.g. the page count. */
  detail: string;
  gist: string;
  points: string[];
  fields: string[];
  notes: string[];
}

interface Part {
  gist: string | undefined;
  points: string[];
  fields: string[];
}

function splitMessages(job: Job, text: Answer): NoticeContent[] {
  const gist = clip(neutralise(text.gist), MAX_GIST_CHARS);
  const points = text.points.map(cleanPoint).filter(Boolean).slice(0, 20);
  const fields = text.fields.map((field) => clip(neutralise(field), 300)).slice(0, 30);

  // Fill each message with list items while it fits; what does not fit starts the next one.
  const parts: Part[] = [{ gist, points: [], fields: [] }];
  const items = [
    ...points.map((item) => ({ list: 'points' as const, item })),
    ...fields.map((item) => ({ list: 'fields' as const, item })),
  ];
  for (const { list, item } of items) {
    const current = parts[parts.length - 1]!;
    current[list].push(item);
    if (contentBytes(renderPart(job, text, current, 1, 2)) <= MAX_CONTENT_BYTES) continue;
    current[list].pop();
    parts.push({ gist: undefined, points: [], fields: [] });
    parts[parts.length - 1]![list].push(item);
  }
  return parts.map((part, index) => renderPart(job, text, part, index + 1, parts.length));
}

function renderPart(
  job: Job,
  text: Answer,
  part: Part,
  number: number,
  total: number,
): NoticeContent {
  const detail = total > 1 ? `${text.detail}, part ${number} of ${total}` : text.detail;
  const notes = number === 1 ? text.notes : [];

  const body = [
    `${text.title} (${detail})`,
    ...(part.gist !== undefined ? ['', part.gist] : []),
    ...section('Key points:', part.points),
    ...section('Filled-in form fields:', part.fields),
    ...(notes.length ? ['', ...notes] : []),
  ].join('\n');

  const html = [
    `<p><strong>${text.titleHtml}</strong> (${escapeHtml(detail)})</p>`,
    part.gist !== undefined ? `<p>${escapeHtml(part.gist)}</p>` : '',
    htmlList('Key points:', part.points),
    htmlList('Filled-in form fields:', part.fields),
    notes.map((note) => `<p><em>${escapeHtml(note)}</em></p>`).join(''),
  ].join('');

  return reply(job, { body, html });
}

function section(title: string, items: string[]): string[] {
  return items.length ? ['', title, ...items.map((item) => `• ${item}`)] : [];
}

function htmlList(title: string, items: string[]): string {
  if (items.length === 0) return '';
  const list = items.map((item) => `<li>${escapeHtml(item)}</li>`).join('');
  return `<p>${escapeHtml(title)}</p><ul>${list}</ul>`;
}

const LEADING_BULLETS = /^[\s•·▪◦●‣∙*–-]+/u;

/** A key point without bullets the PDF's own text may have carried. */
function cleanPoint(point: string): string {
  return clip(neutralise(point.replace(LEADING_BULLETS, '').trim()), MAX_POINT_CHARS);
}

function summaryNotes(result: SummaryResult): string[] {
  const notes: string[] = [];
  if (result.failedPages > 0) {
    const of = result.failedPages === 1 ? 'page' : 'pages';
    notes.push(`${result.failedPages} ${of} could not be read; this summary covers the rest.`);
  }
  if (result.truncated) {
    notes.push(
      `The document is very long; only its first ${result.pagesRead} of ` +
        `${result.pageCount} pages were read.`,
    );
  }
  if (result.garbled) {
    notes.push(
      "Part of this PDF's text is garbled (its fonts map some letters wrongly), " +
        'so this summary may be unreliable.',
    );
  }
  if (result.fellBack) {
    notes.push('The AI summarizer could not be used, so this is a built-in extractive summary.');
  }
  return notes;
}

function failureMessage(job: Job, result: FailureResult): NoticeContent {
  const name = displayName(job.fileName);
  const message = clip(neutralise(result.message), 2_000);
  return reply(job, {
    body: `Sorry, I could not summarize "${name}". ${message}`,
    html: `Sorry, I could not summarize <code>${escapeHtml(name)}</code>. ` + escapeHtml(message),
  });
}

/** A notice that is not a reply, e.g. the one-time note about encrypted rooms. */
export function notice(body: string): NoticeContent {
  return { msgtype: 'm.notice', body: neutralise(body), 'm.mentions': {} };
}

function reply(job: Job, text: { body: string; html: string }): NoticeContent {
  const inReplyTo = { event_id: job.eventId };
  // Inside a thread the reply stays in the thread; `is_falling_back: false` says the reply
  // relation is meant, not a stand-in for clients that do not know threads.
  const relation = job.threadRoot
    ? {
        rel_type: 'm.thread',
        event_id: job.threadRoot,
        is_falling_back: false,
        'm.in_reply_to': inReplyTo,
      }
    : { 'm.in_reply_to': inReplyTo };
  return {
    msgtype: 'm.notice',
    body: text.body,
    format: 'org.matrix.custom.html',
    formatted_body: text.html,
    'm.mentions': {},
    'm.relates_to': relation,
  };
}

/** Shortens and cleans a file name before it is echoed back. */
export function displayName(fileName: string): string {
  // Control characters and bidi overrides could garble the line or disguise the extension.
  // eslint-disable-next-line no-control-regex
  const unsafe = /[\u0000-\u001f\u007f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
  const clean = neutralise(fileName.replace(unsafe, ''));
  return clip(clean.trim() || 'file.pdf', 80);
}

/** Breaks `@room` and user-id-like text so that no client treats it as a mention. */
export function neutralise(text: string): string {
  return text.replace(/@(?=room\b|[A-Za-z0-9._=\-/]+:[A-Za-z0-9.-])/gi, '@\u2060');
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Shortens text to `max` UTF-16 units, never splitting a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  if (/[\uD800-\uDBFF]/.test(text[end - 1] ?? '')) end--;
  return text.slice(0, end).trimEnd() + '…';
}

function contentBytes(content: NoticeContent): number {
  return Buffer.byteLength(JSON.stringify(content));
}
