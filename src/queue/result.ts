import { z } from 'zod';

import type { FailureCode } from '../errors.js';

/**
 * The answer a job ends with, stored as JSON in `jobs.result` before it is sent, and validated
 * with this schema whenever it is read back.
 */
/** One more analysis of the document, by another model or prompt, or why it is missing. */
const analysisResult = z.object({
  name: z.string(),
  gist: z.string(),
  keyPoints: z.array(z.string()),
  producer: z.string(),
  /** Set, with gist and points empty, when this analysis could not be made. */
  failure: z.string().optional(),
});

const summaryResult = z.object({
  kind: z.literal('summary'),
  pageCount: z.number().int().nonnegative(),
  /** Pages read before the text limit stopped reading (all of them unless truncated). */
  pagesRead: z.number().int().nonnegative(),
  /** Pages that could not be read; the reply says how many. */
  failedPages: z.number().int().nonnegative(),
  /** Whether reading stopped at the text limit before the end of the document. */
  truncated: z.boolean(),
  /** Whether part of the text came out garbled (fonts that map letters wrongly). */
  garbled: z.boolean().default(false),
  gist: z.string(),
  keyPoints: z.array(z.string()),
  /** Filled-in values of a form, shown as they are ("Label: value"). */
  formFields: z.array(z.string()).default([]),
  producer: z.string(),
  /** Set when the configured model was unavailable and the built-in summary stood in. */
  fellBack: z.boolean(),
  /** The configured extra analyses, each posted as a reply of its own. */
  analyses: z.array(analysisResult).default([]),
});

const failureResult = z.object({
  kind: z.literal('failure'),
  code: z.string() as z.ZodType<FailureCode>,
  message: z.string(),
});

export const jobResultSchema = z.discriminatedUnion('kind', [summaryResult, failureResult]);

export type JobResult = z.infer<typeof jobResultSchema>;
export type SummaryResult = z.infer<typeof summaryResult>;
export type FailureResult = z.infer<typeof failureResult>;
export type AnalysisResult = z.infer<typeof analysisResult>;
