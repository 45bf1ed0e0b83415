import type { Job } from '../queue/jobs.js';
import type { FailureResult, JobResult, SummaryResult } from '../queue/result.js';

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

/** Events are limited to 64 KiB; the text of one reply is kept well below that. */
const MAX_BODY_CHARS = 24_000;

export function acknowledgement(job: Job): NoticeContent {
  const name = displayName(job.fileName);
  return reply(job, {
    body: `Working on "${name}". I will reply here with its summary.`,
    html: `Working on <code>${escapeHtml(name)}</code>. I will reply here with its summary.`,
  });
}

export function answer(job: Job, result: JobResult): NoticeContent {
  return result.kind === 'summary' ? summaryMessage(job, result) : failureMessage(job, result);
}

function summaryMessage(job: Job, result: SummaryResult): NoticeContent {
  const name = displayName(job.fileName);
  const pages = `${result.pageCount} page${result.pageCount === 1 ? '' : 's'}`;
  const notes = summaryNotes(result);
  const gist = clip(neutralise(result.gist), MAX_BODY_CHARS / 2);
  const points = result.keyPoints.map((point) => clip(neutralise(point), 2_000)).slice(0, 20);

  const body = [
    `Summary of "${name}" (${pages})`,
    '',
    gist,
    ...(points.length ? ['', 'Key points:', ...points.map((point) => `• ${point}`)] : []),
    ...(notes.length ? ['', ...notes] : []),
  ].join('\n');

  const html = [
    `<p><strong>Summary of <code>${escapeHtml(name)}</code></strong> (${pages})</p>`,
    `<p>${escapeHtml(gist)}</p>`,
    points.length ? `<p>Key points:</p><ul>${points.map(listItem).join('')}</ul>` : '',
    notes.map((note) => `<p><em>${escapeHtml(note)}</em></p>`).join(''),
  ].join('');

  return reply(job, { body, html });
}

function listItem(text: string): string {
  return `<li>${escapeHtml(text)}</li>`;
}

function summaryNotes(result: SummaryResult): string[] {
  const notes: string[] = [];
  if (result.failedPages > 0) {
    const of = result.failedPages === 1 ? 'page' : 'pages';
    notes.push(`${result.failedPages} ${of} could not be read; this summary covers the rest.`);
  }
  if (result.truncated) notes.push('The document is very long; only its first part was read.');
  if (result.fellBack) {
    notes.push('The AI summarizer was unavailable, so this is a built-in extractive summary.');
  }
  return notes;
}

function failureMessage(job: Job, result: FailureResult): NoticeContent {
  const name = displayName(job.fileName);
  return reply(job, {
    body: `Sorry, I could not summarize "${name}". ${result.message}`,
    html:
      `Sorry, I could not summarize <code>${escapeHtml(name)}</code>. ` +
      escapeHtml(result.message),
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
  const unsafe = /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g;
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

function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  return text.slice(0, max - 1).trimEnd() + '…';
}
