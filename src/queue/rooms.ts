import { eq, sql } from 'drizzle-orm';

import type { Db } from '../db/client.js';
import { rooms, type RoomRow } from '../db/schema.js';

export type Membership = RoomRow['membership'];

/** The bot's rooms, as the bridge last knew them. */
export class RoomStore {
  /** Prepared: it runs for every upload while a transaction is being stored. */
  private readonly byId;

  constructor(private readonly db: Db) {
    this.byId = db
      .select()
      .from(rooms)
      .where(eq(rooms.roomId, sql.placeholder('roomId')))
      .prepare();
  }

  get(roomId: string): RoomRow | undefined {
    return this.byId.get({ roomId });
  }

  /** Records an invite; a room the bot is already in stays as it is. */
  recordInvite(roomId: string, inviter: string, encrypted: boolean, now: number): void {
    this.db
      .insert(rooms)
      .values({ roomId, membership: 'invited', inviter, encrypted, updatedAt: now })
      .onConflictDoUpdate({
        target: rooms.roomId,
        set: { membership: 'invited', inviter, encrypted, updatedAt: now },
      })
      .run();
  }

  setMembership(roomId: string, membership: Membership, now: number): void {
    this.db
      .insert(rooms)
      .values({ roomId, membership, updatedAt: now })
      .onConflictDoUpdate({ target: rooms.roomId, set: { membership, updatedAt: now } })
      .run();
  }

  /** Changes a room's summary settings; a null value returns to the deployment's default. */
  setSettings(
    roomId: string,
    settings: { instructions?: string | null; language?: string | null },
    now: number,
  ): void {
    this.db
      .update(rooms)
      .set({ ...settings, updatedAt: now })
      .where(eq(rooms.roomId, roomId))
      .run();
  }

  markEncrypted(roomId: string, now: number): void {
    this.db
      .update(rooms)
      .set({ encrypted: true, updatedAt: now })
      .where(eq(rooms.roomId, roomId))
      .run();
  }

  markEncryptionNoticeSent(roomId: string, now: number): void {
    this.db.update(rooms).set({ encryptionNoticeAt: now }).where(eq(rooms.roomId, roomId)).run();
  }

  /** Invites not answered yet (crash between receiving and joining), oldest first. */
  pendingInvites(): RoomRow[] {
    return this.db
      .select()
      .from(rooms)
      .where(eq(rooms.membership, 'invited'))
      .orderBy(rooms.updatedAt)
      .all();
  }

  /** Joined encrypted rooms that have not been told yet that the bot cannot read them. */
  owedEncryptionNotices(): RoomRow[] {
    return this.db
      .select()
      .from(rooms)
      .where(eq(rooms.membership, 'joined'))
      .all()
      .filter((room) => room.encrypted && room.encryptionNoticeAt === null);
  }
}
