import type { OpenDatabase } from './db/client.js';
import { logger } from './log.js';
import type { CommandEvent } from './matrix/commands.js';
import { classifyEvent, type ClientEvent, type Identity } from './matrix/events.js';
import { fairUseRefusal, type FairUseLimits } from './queue/fair-use.js';
import type { Usage } from './queue/job-row.js';
import type { Job, JobStore, NewJob } from './queue/jobs.js';
import type { RoomStore } from './queue/rooms.js';

const log = logger('Inbox');

const HOUR_MS = 3_600_000;

/** What happens after a transaction's events are stored. Called after the write commits. */
export interface InboxReactions {
  uploaded(job: Job): void;
  /** An upload over a fair-use cap: its answer is stored and owed, nothing runs. */
  refused(job: Job): void;
  invited(roomId: string): void;
  encrypted(roomId: string): void;
  /** A command to the bot; it changes room settings and is answered, nothing is stored first. */
  command(command: CommandEvent): void;
}

/**
 * Stores what a transaction means, in one SQLite transaction, before the homeserver is answered:
 * a job per PDF upload (a replayed event finds its job and adds none), the bot's invites and
 * removals, rooms turning encrypted. The reactions run only after the commit.
 */
export class Inbox {
  constructor(
    private readonly database: OpenDatabase,
    private readonly jobs: JobStore,
    private readonly rooms: RoomStore,
    private readonly identity: Identity,
    private readonly limits: FairUseLimits,
    private readonly reactions: InboxReactions,
  ) {}

  persist(txnId: string, events: ClientEvent[]): void {
    const now = Date.now();
    const after: Array<() => void> = [];
    const tally = new UsageTally((sender, roomId) =>
      this.jobs.usage(sender, roomId, now - HOUR_MS, this.limits),
    );
    this.database.sqlite.transaction(() => {
      for (const event of events) {
        const incoming = classifyEvent(event, this.identity);
        switch (incoming.kind) {
          case 'upload': {
            // A file sent unencrypted into an encrypted room is still not summarized there:
            // the summary would be posted in the clear. The room was told once why.
            if (this.rooms.get(incoming.job.roomId)?.encrypted) break;
            after.push(...this.accept(incoming.job, txnId, now, tally));
            break;
          }
          case 'invite':
            this.rooms.recordInvite(incoming.roomId, incoming.inviter, incoming.encrypted, now);
            after.push(() => this.reactions.invited(incoming.roomId));
            break;
          case 'removed':
            this.rooms.setMembership(incoming.roomId, 'left', now);
            log.info('removed from room', { room: incoming.roomId, by: incoming.by });
            break;
          case 'encryption':
            this.rooms.markEncrypted(incoming.roomId, now);
            after.push(() => this.reactions.encrypted(incoming.roomId));
            break;
          case 'command':
            after.push(() => this.reactions.command(incoming.command));
            break;
          case 'ignore':
            break;
        }
      }
    })();
    // The reactions (replies, claims, joins) start after the homeserver has its answer.
    inTurns(after);
  }

  /** Queues an upload, or stores its refusal when a fair-use cap is reached. */
  private accept(upload: NewJob, txnId: string, now: number, tally: UsageTally): Array<() => void> {
    if (this.jobs.getByEventId(upload.eventId)) return [];
    const usage = tally.of(upload.sender, upload.roomId);
    const refusal = fairUseRefusal(usage, this.limits);
    if (refusal) {
      const { job } = this.jobs.refuse(upload, refusal, now);
      log.info('refused PDF over a fair-use cap', { job: job.id, sender: job.sender, ...usage });
      return [() => this.reactions.refused(job)];
    }
    const { job } = this.jobs.enqueue(upload, now);
    tally.accepted(upload.sender, upload.roomId);
    log.info('queued PDF', { job: job.id, room: job.roomId, event: job.eventId, txn: txnId });
    return [() => this.reactions.uploaded(job)];
  }
}

/** Reactions started this many to a turn of the event loop. */
const REACTIONS_PER_TURN = 10;

/**
 * Runs the reactions a few at a time, each batch in a turn of its own, so that a transaction
 * arriving meanwhile is read and answered between them rather than after all of them.
 */
function inTurns(reactions: ReadonlyArray<() => void>, from = 0): void {
  if (from >= reactions.length) return;
  setImmediate(() => {
    const to = Math.min(reactions.length, from + REACTIONS_PER_TURN);
    for (let i = from; i < to; i++) reactions[i]?.();
    inTurns(reactions, to);
  });
}

/**
 * The fair-use counts of the senders and rooms of one transaction: read from the job store for
 * the first upload of each sender in each room, then kept up to date as uploads are accepted,
 * so a transaction of a hundred uploads from one person does not count the same rows again
 * for each of them.
 */
class UsageTally {
  private readonly known = new Map<string, { sender: string; roomId: string; usage: Usage }>();

  constructor(private readonly read: (sender: string, roomId: string) => Usage) {}

  of(sender: string, roomId: string): Usage {
    const key = JSON.stringify([sender, roomId]);
    let entry = this.known.get(key);
    if (!entry) {
      entry = { sender, roomId, usage: this.read(sender, roomId) };
      this.known.set(key, entry);
    }
    return { ...entry.usage };
  }

  /** One more upload from `sender` in `roomId` is queued. */
  accepted(sender: string, roomId: string): void {
    for (const entry of this.known.values()) {
      if (entry.sender === sender) {
        entry.usage.senderQueued++;
        entry.usage.senderRecent++;
      }
      if (entry.roomId === roomId) {
        entry.usage.roomQueued++;
        entry.usage.roomRecent++;
      }
    }
  }
}
