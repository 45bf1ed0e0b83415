import type { Appservice } from './appservice.js';
import type { Reply } from './http/context.js';
import type { MediaStore } from './media-store.js';
import type { Memberships } from './membership.js';
import type { ResolvedOptions } from './options.js';
import type { TransactionPusher } from './pusher.js';
import type { RoomStore } from './rooms.js';
import type { TransactionCache } from './txn-cache.js';
import type { UserDirectory } from './users.js';

/** A typing notification as received. */
export interface TypingRecord {
  roomId: string;
  userId: string;
  typing: boolean;
  timeoutMs?: number;
  ts: number;
}

/** A read receipt as received. */
export interface ReceiptRecord {
  roomId: string;
  userId: string;
  receiptType: string;
  eventId: string;
  ts: number;
}

/** Everything the route handlers share: the server's state and its settings. */
export interface Services {
  options: ResolvedOptions;
  appservice: Appservice;
  users: UserDirectory;
  rooms: RoomStore;
  memberships: Memberships;
  media: MediaStore;
  txnCache: TransactionCache<Reply>;
  pusher: TransactionPusher;
  typing: TypingRecord[];
  receipts: ReceiptRecord[];
  /** The appservice's url as set now, or null. */
  appserviceUrl(): string | null;
}
