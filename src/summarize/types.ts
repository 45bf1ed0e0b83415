/** The text to summarize and what is known about where it came from. */
export interface SummaryInput {
  text: string;
  /** The file name as uploaded, for prompts; never trusted as markup. */
  fileName: string;
  pageCount: number;
}

/** A summary as the room will see it: a short gist and key points in the document's order. */
export interface Summary {
  gist: string;
  keyPoints: string[];
  /** Which summarizer made it: "built-in" or the model name. */
  producer: string;
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
