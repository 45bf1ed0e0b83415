import { logger } from '../log.js';
import type { Job, JobStore } from '../queue/jobs.js';
import { acknowledgement, answer } from './content.js';
import { SendError, stableTxnId, type MatrixSender } from './sender.js';

const log = logger('Replies');

/**
 * Posts the two replies every job owes: "working on it" and the answer, in that order. Each is
 * sent with a transaction id derived from the upload's event id and the reply's role, and is
 * marked in the database only after the homeserver accepted it; a resend after a crash is
 * therefore recognised by the homeserver and makes no second message.
 */
export class Replies {
  private readonly inFlight = new Map<string, Promise<boolean>>();

  constructor(
    private readonly jobs: JobStore,
    private readonly sender: MatrixSender,
  ) {}

  /** Sends the "working on it" reply if it is still owed. True once it has been accepted. */
  acknowledge(job: Job): Promise<boolean> {
    return this.once(`${job.id}:ack`, async () => {
      const fresh = this.jobs.get(job.id);
      if (!fresh || fresh.ackedAt !== null) return true;
      const sent = await this.send(fresh, 'ack', acknowledgement(fresh));
      if (sent) this.jobs.markAcknowledged(fresh.id, Date.now());
      return sent;
    });
  }

  /** Sends the stored answer if it is still owed. True once it has been accepted. */
  deliver(job: Job): Promise<boolean> {
    return this.once(`${job.id}:answer`, async () => {
      if (!(await this.acknowledge(job))) return false;
      const fresh = this.jobs.get(job.id);
      if (!fresh || fresh.deliveredAt !== null) return true;
      if (!fresh.result) return false;
      // Each part of a long answer has its own stable transaction id, so a resend after a crash
      // between parts repeats none of them.
      const parts = answer(fresh, fresh.result);
      for (const [index, part] of parts.entries()) {
        const role = index === 0 ? 'answer' : `answer.${index + 1}`;
        if (!(await this.send(fresh, role, part))) return false;
      }
      this.jobs.markDelivered(fresh.id, Date.now());
      return true;
    });
  }

  /** Waits for replies being sent right now (used at shutdown). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.inFlight.values()]);
  }

  private async send(job: Job, role: string, content: object): Promise<boolean> {
    try {
      await this.sender.send(job.roomId, content, stableTxnId(job.eventId, role));
      return true;
    } catch (error) {
      if (error instanceof SendError && !error.failure.transient) {
        // The homeserver will never take it (the bot was removed from the room, say). Count it
        // as done so it is not retried forever.
        log.warn('reply refused by the homeserver; giving up on it', {
          job: job.id,
          role,
          room: job.roomId,
          cause: error.failure.detail,
        });
        return true;
      }
      log.warn('reply not sent; will try again', { job: job.id, role, cause: String(error) });
      return false;
    }
  }

  private once(key: string, work: () => Promise<boolean>): Promise<boolean> {
    const running = this.inFlight.get(key);
    if (running) return running;
    const promise = work().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return promise;
  }
}
