import type { Usage } from './jobs.js';
import type { FailureResult } from './result.js';

/** Caps that keep one person or one room from taking the bridge for themselves. */
export interface FairUseLimits {
  /** Uploads one sender may have waiting or running at once. */
  queuedPerSender: number;
  /** Uploads one room may have waiting or running at once. */
  queuedPerRoom: number;
  /** Uploads accepted from one sender in an hour. */
  perSenderPerHour: number;
  /** Uploads accepted from one room in an hour. */
  perRoomPerHour: number;
}

/**
 * Whether an upload is over a cap, and if so the polite answer the uploader gets instead of a
 * summary. The uploads that are over a cap do not count towards the hourly ones.
 */
export function fairUseRefusal(usage: Usage, limits: FairUseLimits): FailureResult | undefined {
  const refuse = (message: string): FailureResult => ({
    kind: 'failure',
    code: 'rate_limited',
    message,
  });
  if (usage.senderQueued >= limits.queuedPerSender) {
    return refuse(
      `You already have ${usage.senderQueued} PDFs waiting, the most I hold for one person. ` +
        'Please send this one again once those are done.',
    );
  }
  if (usage.roomQueued >= limits.queuedPerRoom) {
    return refuse(
      `This room already has ${usage.roomQueued} PDFs waiting, the most I hold for one room. ` +
        'Please send this one again once those are done.',
    );
  }
  if (usage.senderRecent >= limits.perSenderPerHour) {
    return refuse(
      `You have sent ${usage.senderRecent} PDFs in the last hour, the most I take from one ` +
        'person. Please send this one again later.',
    );
  }
  if (usage.roomRecent >= limits.perRoomPerHour) {
    return refuse(
      `This room has sent ${usage.roomRecent} PDFs in the last hour, the most I take from ` +
        'one room. Please send this one again later.',
    );
  }
  return undefined;
}
