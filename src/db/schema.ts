import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * The job table. One row per uploaded PDF, keyed by the Matrix event id so that the same event
 * can never make two jobs. The life of a row is described in `src/queue/jobs.ts`.
 */
export const jobs = sqliteTable(
  'jobs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    eventId: text('event_id').notNull().unique(),
    roomId: text('room_id').notNull(),
    sender: text('sender').notNull(),
    /** Root of the thread the upload was posted in, so replies stay in that thread. */
    threadRoot: text('thread_root'),
    fileName: text('file_name').notNull(),
    mxcUrl: text('mxc_url').notNull(),
    mimetype: text('mimetype'),
    /** Size the event declared; checked before downloading but never trusted. */
    declaredSize: integer('declared_size'),
    status: text('status', {
      enum: ['pending', 'processing', 'completed', 'failed', 'refused'],
    }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    /** Epoch ms before which a pending job is not claimed (retry backoff). */
    runAfter: integer('run_after').notNull(),
    /** Epoch ms when a processing job's claim lapses unless its worker renews it. */
    leaseUntil: integer('lease_until'),
    /** Epoch ms when the homeserver accepted the "working on it" reply. */
    ackedAt: integer('acked_at'),
    /** The answer to post (JSON, see `src/queue/result.ts`); stored before it is sent. */
    result: text('result'),
    /**
     * The file's SHA-256 and the summarizer settings that made its summary: an upload of the same
     * bytes under the same settings reuses the stored summary.
     */
    summaryKey: text('summary_key'),
    /** Cause of the last failed attempt, for admins; never shown in a room. */
    lastError: text('last_error'),
    /** Epoch ms when the homeserver accepted the final reply. */
    deliveredAt: integer('delivered_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (table) => [
    index('jobs_status_run_after').on(table.status, table.runAfter),
    index('jobs_status_created_at').on(table.status, table.createdAt),
    // Small partial indexes: the replies still owed stay cheap to find among many old rows.
    index('jobs_unacknowledged')
      .on(table.createdAt)
      .where(sql`acked_at IS NULL`),
    index('jobs_owed_answer')
      .on(table.updatedAt)
      .where(sql`delivered_at IS NULL AND status IN ('completed', 'failed', 'refused')`),
    // Fair-use counts: a sender's or a room's recent uploads. Refused ones are left out, so that
    // a flood of them does not slow the counts, and a row never moves in or out: it is refused
    // from the start or never.
    index('jobs_sender_created_at')
      .on(table.sender, table.createdAt)
      .where(sql`status != 'refused'`),
    index('jobs_room_created_at')
      .on(table.roomId, table.createdAt)
      .where(sql`status != 'refused'`),
    index('jobs_summary_key')
      .on(table.summaryKey)
      .where(sql`summary_key IS NOT NULL`),
  ],
);

/**
 * Rooms the bot was invited to or is in. Invites are stored when they arrive, so one that came
 * in just before a crash is still answered after the restart.
 */
export const rooms = sqliteTable('rooms', {
  roomId: text('room_id').primaryKey(),
  membership: text('membership', { enum: ['invited', 'joined', 'declined', 'left'] }).notNull(),
  inviter: text('inviter'),
  /** Whether the room has `m.room.encryption`, which the bot cannot read. */
  encrypted: integer('encrypted', { mode: 'boolean' }).notNull().default(false),
  /** Epoch ms when the bot said once that it cannot read this encrypted room. */
  encryptionNoticeAt: integer('encryption_notice_at'),
  /** Instructions for the model set by the room's moderators, replacing the deployment's. */
  instructions: text('instructions'),
  /** Language the room wants summaries in ("auto": the document's own). */
  language: text('language'),
  updatedAt: integer('updated_at').notNull(),
});

export type JobRow = typeof jobs.$inferSelect;
export type RoomRow = typeof rooms.$inferSelect;
