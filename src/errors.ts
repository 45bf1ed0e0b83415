/**
 * Every way a job can fail, with the sentence the room sees and whether trying again can help.
 *
 * The room only ever sees `userMessage`; `detail` is for the log. Anything that is not a
 * {@link JobError} becomes `internal`, whose message says nothing about the cause.
 */
export type FailureCode =
  | 'not_pdf'
  | 'empty_file'
  | 'password_protected'
  | 'damaged'
  | 'empty_document'
  | 'no_text'
  | 'little_text'
  | 'unreadable_text'
  | 'xfa_form'
  | 'too_large'
  | 'too_many_pages'
  | 'timed_out'
  | 'media_unavailable'
  | 'media_missing'
  | 'bad_upload'
  | 'homeserver_unavailable'
  | 'summarizer_unavailable'
  | 'summarizer_rejected'
  | 'rate_limited'
  | 'internal';

interface FailureKind {
  /** Whether a later attempt can succeed (network trouble, overload) or never will. */
  retryable: boolean;
  /** What the person who uploaded the file is told. Plain words, no jargon. */
  message: string;
}

const KINDS: Record<FailureCode, FailureKind> = {
  not_pdf: { retryable: false, message: 'This file is not a PDF, so I cannot summarize it.' },
  empty_file: {
    retryable: false,
    message: 'This file is empty, so there is nothing to summarize.',
  },
  password_protected: {
    retryable: false,
    message:
      'This PDF is password-protected, so I cannot read it. ' +
      'Upload a copy without the password if you want a summary.',
  },
  damaged: {
    retryable: false,
    message: 'This PDF is damaged and I could not read any of its pages.',
  },
  empty_document: {
    retryable: false,
    message:
      'This PDF is empty or damaged: it contains no pages, so there is nothing to summarize.',
  },
  no_text: {
    retryable: false,
    message:
      'This PDF has no text layer: it looks like a scan or a picture of text. ' +
      'Run it through OCR (text recognition) first, then upload the result.',
  },
  little_text: {
    retryable: false,
    message:
      'This PDF holds almost no text, too little to summarize. If its pages show more than ' +
      'that, the rest is drawn as pictures and would need OCR (text recognition).',
  },
  unreadable_text: {
    retryable: false,
    message:
      'The text in this PDF cannot be read by a machine (its fonts do not say which letters ' +
      'they draw). Running it through OCR (text recognition) may help.',
  },
  xfa_form: {
    retryable: false,
    message:
      'This PDF is a dynamic (XFA) form. Its content only appears in Adobe Reader, ' +
      'so I cannot extract it. Print it to a new PDF and upload that instead.',
  },
  too_large: { retryable: false, message: 'This file is too large for me to summarize.' },
  too_many_pages: { retryable: false, message: 'This PDF has too many pages for me to summarize.' },
  timed_out: {
    retryable: false,
    message: 'This PDF took too long to read, so I gave up on it.',
  },
  media_unavailable: {
    retryable: true,
    message: 'I could not download this file from the homeserver.',
  },
  media_missing: {
    retryable: false,
    message: 'This file is no longer available on the homeserver, so I cannot fetch it.',
  },
  bad_upload: {
    retryable: false,
    message: 'This upload does not point to a file I can fetch.',
  },
  homeserver_unavailable: {
    retryable: true,
    message: 'The homeserver did not answer me in time.',
  },
  summarizer_unavailable: {
    retryable: true,
    message: 'The summarizer is unavailable right now.',
  },
  summarizer_rejected: {
    retryable: false,
    message:
      'The summarizer refused the request, which usually means it is not set up correctly. ' +
      'The bridge administrator can find the details in its log.',
  },
  rate_limited: {
    retryable: false,
    message: 'I am not taking more PDFs from you right now. Please send it again later.',
  },
  internal: {
    retryable: false,
    message: 'Something went wrong on my side while summarizing this file.',
  },
};

export class JobError extends Error {
  override readonly name = 'JobError';
  readonly code: FailureCode;
  readonly retryable: boolean;
  /** The sentence for the room. A more specific one may replace the default for the code. */
  readonly userMessage: string;
  /** Milliseconds the cause asked us to wait before trying again (a 429's Retry-After). */
  readonly retryAfterMs: number | undefined;

  constructor(
    code: FailureCode,
    detail: string,
    options: { userMessage?: string; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(detail, { cause: options.cause });
    const kind = KINDS[code];
    this.code = code;
    this.retryable = kind.retryable;
    this.userMessage = options.userMessage ?? kind.message;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** The default sentence for a code, for messages built without an error at hand. */
export function userMessageFor(code: FailureCode): string {
  return KINDS[code].message;
}

export function isRetryable(code: FailureCode): boolean {
  return KINDS[code].retryable;
}

/** Wraps anything thrown into a JobError; unknown errors become `internal`. */
export function toJobError(error: unknown): JobError {
  if (error instanceof JobError) return error;
  return new JobError('internal', describe(error), { cause: error });
}

/** A one-line description of anything thrown, for logs. Never includes a stack. */
export function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
