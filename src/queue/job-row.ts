import { z } from 'zod';

import { jobResultSchema } from './result.js';

export type JobStatus = 'pending' | 'processing' | 'completed' | 'failed' | 'refused';

/**
 * How much a sender and a room have in the queue and have sent lately; each count stops one past
 * the fair-use cap it is compared with.
 */
export interface Usage {
  senderQueued: number;
  senderRecent: number;
  roomQueued: number;
  roomRecent: number;
}

export interface NewJob {
  eventId: string;
  roomId: string;
  sender: string;
  threadRoot: string | null;
  fileName: string;
  mxcUrl: string;
  mimetype: string | null;
  declaredSize: number | null;
}

/**
 * A job row as read back from SQLite, validated with the schema its writer used: a row that does
 * not match fails that one job, not the process.
 */
const jobSchema = z.object({
  id: z.number().int(),
  eventId: z.string(),
  roomId: z.string(),
  sender: z.string(),
  threadRoot: z.string().nullable(),
  fileName: z.string(),
  mxcUrl: z.string(),
  mimetype: z.string().nullable(),
  declaredSize: z.number().nullable(),
  status: z.enum(['pending', 'processing', 'completed', 'failed', 'refused']),
  attempts: z.number().int(),
  runAfter: z.number(),
  leaseUntil: z.number().nullable(),
  ackedAt: z.number().nullable(),
  result: z
    .string()
    .nullable()
    .transform((text, context) => {
      if (text === null) return null;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        context.addIssue({ code: 'custom', message: 'result is not JSON' });
        return z.NEVER;
      }
      const parsed = jobResultSchema.safeParse(value);
      if (parsed.success) return parsed.data;
      context.addIssue({ code: 'custom', message: `result: ${parsed.error.message}` });
      return z.NEVER;
    }),
  summaryKey: z.string().nullable(),
  lastError: z.string().nullable(),
  deliveredAt: z.number().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});

export type Job = z.output<typeof jobSchema>;

/** A stored row that does not match the schema; it fails its own job, not the process. */
export class BadJobRow extends Error {
  override readonly name = 'BadJobRow';
}

export function toJob(row: unknown): Job {
  const parsed = jobSchema.safeParse(row);
  if (!parsed.success) {
    const id = (row as { id?: unknown } | undefined)?.id;
    throw new BadJobRow(`job ${String(id)} has an invalid row: ${parsed.error.message}`);
  }
  return parsed.data;
}
