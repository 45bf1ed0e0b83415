import type { Usage } from './job-row.js';
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
 *
 * The counts stop one past their caps (see `JobStore.usage`), so a count past its cap (the cap
 * was lowered since those uploads came) is said as "more than" the cap.
 */
export function fairUseRefusal(usage: Usage, limits: FairUseLimits): FailureResult | undefined {
  const refuse = (message: string): FailureResult => ({
    kind: 'failure',
    code: 'rate_limited',
    message,
  });
  if (usage.senderQueued >= limits.queuedPerSender) {
    return refuse(
      `You already have ${atCap(usage.senderQueued, limits.queuedPerSender, 'PDFs waiting')} ` +
        'I hold for one person. Please send this one again once those are done.',
    );
  }
  if (usage.roomQueued >= limits.queuedPerRoom) {
    return refuse(
      `This room already has ${atCap(usage.roomQueued, limits.queuedPerRoom, 'PDFs waiting')} ` +
        'I hold for one room. Please send this one again once those are done.',
    );
  }
  if (usage.senderRecent >= limits.perSenderPerHour) {
    const sent = atCap(usage.senderRecent, limits.perSenderPerHour, 'PDFs in the last hour');
    return refuse(
      `You have sent ${sent} I take from one person. Please send this one again later.`,
    );
  }
  if (usage.roomRecent >= limits.perRoomPerHour) {
    const sent = atCap(usage.roomRecent, limits.perRoomPerHour, 'PDFs in the last hour');
    return refuse(
      `This room has sent ${sent} I take from one room. Please send this one again later.`,
    );
  }
  return undefined;
}

/** "5 PDFs waiting, the most" at the cap; "more than 5 PDFs waiting; 5 is the most" past it. */
function atCap(count: number, cap: number, what: string): string {
  if (count > cap) return `more than ${cap} ${what}; ${cap} is the most`;
  return `${count} ${what}, the most`;
}
