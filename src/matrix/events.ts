import type { NewJob } from '../queue/jobs.js';
import { COMMAND_PREFIX, type CommandEvent } from './commands.js';
import { parseMxc } from './mxc.js';

/** An event as the homeserver pushes it in a transaction (client format). */
export interface ClientEvent {
  event_id: string;
  room_id: string;
  sender: string;
  type: string;
  content: Record<string, unknown>;
  state_key?: string;
  origin_server_ts?: number;
  unsigned?: Record<string, unknown>;
}

/** What an incoming event means to the bridge. */
export type Incoming =
  | { kind: 'upload'; job: NewJob }
  | { kind: 'invite'; roomId: string; inviter: string; encrypted: boolean }
  | { kind: 'removed'; roomId: string; by: string; membership: 'leave' | 'ban' }
  | { kind: 'encryption'; roomId: string }
  | { kind: 'command'; command: CommandEvent }
  | { kind: 'ignore'; reason: string };

export interface Identity {
  botUserId: string;
  /** True for users in the appservice's namespace, including the bot: their events are ours. */
  isOwnUser(userId: string): boolean;
}

/**
 * Decides what an event means, without side effects. Events the bridge must not act on (its
 * own, other appservice users', notices, edits, anything but a PDF) are `ignore`.
 */
export function classifyEvent(event: ClientEvent, me: Identity): Incoming {
  if (!isWellFormed(event)) return { kind: 'ignore', reason: 'malformed event' };
  if (event.type === 'm.room.member' && event.state_key === me.botUserId) {
    return classifyBotMembership(event);
  }
  if (me.isOwnUser(event.sender)) return { kind: 'ignore', reason: 'own event' };
  if (event.type === 'm.room.encryption' && event.state_key === '') {
    return { kind: 'encryption', roomId: event.room_id };
  }
  if (event.type !== 'm.room.message') return { kind: 'ignore', reason: 'not a message' };
  return classifyMessage(event);
}

function isWellFormed(event: ClientEvent): boolean {
  return (
    typeof event === 'object' &&
    event !== null &&
    typeof event.event_id === 'string' &&
    typeof event.room_id === 'string' &&
    typeof event.sender === 'string' &&
    typeof event.type === 'string' &&
    typeof event.content === 'object' &&
    event.content !== null &&
    !Array.isArray(event.content)
  );
}

function classifyBotMembership(event: ClientEvent): Incoming {
  const membership = event.content.membership;
  if (membership === 'invite') {
    return {
      kind: 'invite',
      roomId: event.room_id,
      inviter: event.sender,
      encrypted: inviteStateHasEncryption(event.unsigned),
    };
  }
  if ((membership === 'leave' || membership === 'ban') && event.sender !== event.state_key) {
    return { kind: 'removed', roomId: event.room_id, by: event.sender, membership };
  }
  return { kind: 'ignore', reason: `bot membership ${String(membership)}` };
}

function inviteStateHasEncryption(unsigned: Record<string, unknown> | undefined): boolean {
  const state = unsigned?.invite_room_state;
  if (!Array.isArray(state)) return false;
  return state.some((item) => (item as { type?: unknown } | null)?.type === 'm.room.encryption');
}

function classifyMessage(event: ClientEvent): Incoming {
  const content = event.content;
  const relation = content['m.relates_to'] as Record<string, unknown> | undefined;
  if (relation?.rel_type === 'm.replace') return { kind: 'ignore', reason: 'edit' };
  if (
    content.msgtype === 'm.text' &&
    typeof content.body === 'string' &&
    content.body.trimStart().toLowerCase().startsWith(COMMAND_PREFIX)
  ) {
    const text = content.body.trimStart().slice(COMMAND_PREFIX.length).trim();
    const command = { eventId: event.event_id, roomId: event.room_id, sender: event.sender, text };
    return { kind: 'command', command };
  }
  if (content.msgtype !== 'm.file') return { kind: 'ignore', reason: 'not a file' };

  const info = (content.info ?? {}) as Record<string, unknown>;
  const fileName = pickFileName(content);
  const mimetype = typeof info.mimetype === 'string' ? info.mimetype.toLowerCase() : null;
  const looksLikePdf = PDF_TYPES.has(mimetype ?? '') || /\.pdf$/i.test(fileName);
  if (!looksLikePdf) return { kind: 'ignore', reason: 'not a PDF' };
  // Files in encrypted rooms carry `file` (with keys) instead of `url`; those are not readable
  // here and the room was told so when the bot joined.
  if (content.url === undefined && content.file !== undefined) {
    return { kind: 'ignore', reason: 'encrypted file' };
  }

  const size = typeof info.size === 'number' && Number.isFinite(info.size) ? info.size : null;
  const threadRoot =
    relation?.rel_type === 'm.thread' && typeof relation.event_id === 'string'
      ? relation.event_id
      : null;
  return {
    kind: 'upload',
    job: {
      eventId: event.event_id,
      roomId: event.room_id,
      sender: event.sender,
      threadRoot,
      fileName,
      // An invalid URI is stored as empty: the job then fails with a clear reply instead of
      // the upload going unanswered.
      mxcUrl: typeof content.url === 'string' && parseMxc(content.url) ? content.url : '',
      mimetype,
      declaredSize: size,
    },
  };
}

/** The media types PDFs are sent with in practice, besides the registered one. */
const PDF_TYPES = new Set(['application/pdf', 'application/x-pdf', 'application/acrobat']);

function pickFileName(content: Record<string, unknown>): string {
  const name = typeof content.filename === 'string' ? content.filename : content.body;
  const text = typeof name === 'string' ? name.trim() : '';
  return text.slice(0, 255) || 'file.pdf';
}
