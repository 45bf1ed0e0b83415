import { logger } from '../log.js';
import type { RoomStore } from '../queue/rooms.js';
import { notice } from './content.js';
import { readMatrixFailure, retryTransient } from './errors.js';
import { stableTxnId, type MatrixSender, type RequestClient } from './sender.js';

const log = logger('Invites');

export interface InviteOptions {
  /** "*" for anyone, ":server" for a homeserver's users, or full user ids. */
  allowedInviters: readonly string[];
  /** Tries to join before the invite is left for the next start. Default 5. */
  maxAttempts?: number;
}

const ENCRYPTED_ROOM_NOTICE =
  'This room is end-to-end encrypted, and I cannot read encrypted messages or files, ' +
  'so I cannot summarize PDFs here. Invite me to an unencrypted room instead.';

/** Whether a user may invite the bot, by the allow-list's rules. */
export function isAllowedInviter(userId: string, allowed: readonly string[]): boolean {
  return allowed.some((rule) => {
    if (rule === '*') return true;
    if (rule.startsWith(':')) return userId.endsWith(rule);
    return rule === userId;
  });
}

/**
 * Answers the bot's invites: joins rooms when the inviter is allowed (the homeserver only sends
 * a room's messages once the bot has joined) and declines with a reason otherwise.
 */
export class InviteHandler {
  private readonly busy = new Set<string>();

  constructor(
    private readonly client: RequestClient,
    private readonly sender: MatrixSender,
    private readonly rooms: RoomStore,
    private readonly options: InviteOptions,
  ) {}

  /** Answers a stored invite. Never rejects: failures are logged and retried at next start. */
  async handle(roomId: string): Promise<void> {
    if (this.busy.has(roomId)) return;
    this.busy.add(roomId);
    try {
      const room = this.rooms.get(roomId);
      if (room?.membership !== 'invited') return;
      const inviter = room.inviter ?? '';
      if (isAllowedInviter(inviter, this.options.allowedInviters)) {
        await this.join(roomId);
        log.info('joined room', { room: roomId, inviter });
        const encrypted = room.encrypted || (await this.hasEncryption(roomId));
        if (encrypted) {
          this.rooms.markEncrypted(roomId, Date.now());
          await this.sendEncryptionNotice(roomId);
        }
      } else {
        await this.decline(roomId);
        log.info('declined invite from a user not on the allow-list', { room: roomId, inviter });
      }
    } catch (error) {
      log.warn('could not answer invite; will try again at next start', {
        room: roomId,
        cause: readMatrixFailure(error).detail,
      });
    } finally {
      this.busy.delete(roomId);
    }
  }

  /** Says once that the bot cannot read this encrypted room. */
  async sendEncryptionNotice(roomId: string): Promise<void> {
    const room = this.rooms.get(roomId);
    if (!room || room.membership !== 'joined' || room.encryptionNoticeAt !== null) return;
    await this.sender.send(roomId, notice(ENCRYPTED_ROOM_NOTICE), stableTxnId(roomId, 'encrypted'));
    this.rooms.markEncryptionNoticeSent(roomId, Date.now());
  }

  private async join(roomId: string): Promise<void> {
    const path = `/_matrix/client/v3/join/${encodeURIComponent(roomId)}`;
    await this.withRetry('join', () => this.client.doRequest('POST', path, null, {}));
    this.rooms.setMembership(roomId, 'joined', Date.now());
  }

  private async decline(roomId: string): Promise<void> {
    const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/leave`;
    const reason = 'This bot only accepts invites from users its administrator allowed.';
    await this.withRetry('leave', () => this.client.doRequest('POST', path, null, { reason }));
    this.rooms.setMembership(roomId, 'declined', Date.now());
  }

  private async hasEncryption(roomId: string): Promise<boolean> {
    const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/m.room.encryption/`;
    try {
      await this.client.doRequest('GET', path);
      return true;
    } catch (error) {
      if (readMatrixFailure(error).status === 404) return false;
      throw error;
    }
  }

  private async withRetry(what: string, call: () => Promise<unknown>): Promise<void> {
    await retryTransient(call, { what, maxAttempts: this.options.maxAttempts ?? 5 });
  }
}
