/** The text to summarize and what is known about where it came from. */
export interface SummaryInput {
  text: string;
  /** The file name as uploaded, for prompts; never trusted as markup. */
  fileName: string;
  pageCount: number;
  /**
   * The language to write the summary in, as an ISO 639-1 code ("pt") or a name ("Portuguese"),
   * for this summary only (a room's setting); "auto" or absent: the summarizer's own setting.
   * The built-in summarizer quotes the document and ignores it.
   */
  language?: string;
  /**
   * Instructions for this summary only (a room's setting), replacing the summarizer's own.
   * `{maxKeyPoints}` in them is replaced by the number. The built-in summarizer ignores them.
   */
  instructions?: string;
}

/** A summary as the room will see it: a short gist and key points in the document's order. */
export interface Summary {
  gist: string;
  keyPoints: string[];
  /** Which summarizer made it: "built-in" or the model name. */
  producer: string;
  /** ISO 639-1 code of the language the document was detected to be in, when known. */
  language?: string;
  /** How the model was used, for the log: requests sent, parts the document was cut into. */
  usage?: SummaryUsage;
}

export interface SummaryUsage {
  /** Requests sent to the model, retries included. */
  requests: number;
  /** Parts the document was cut into; 1 when it went in one request. */
  parts: number;
  /** Estimated tokens of the document. */
  documentTokens: number;
  /** Tokens per part the cut aimed at (0 when the document went in one request). */
  chunkTokens: number;
}

export interface Summarizer {
  /** "built-in" or "openai", for logs. */
  readonly kind: string;
  /**
   * Summarizes the text. Rejects with a JobError: `summarizer_unavailable` for faults that a
   * later attempt may not have (network, 5xx, 429, timeouts), another code otherwise.
   */
  summarize(input: SummaryInput, signal: AbortSignal): Promise<Summary>;
}
