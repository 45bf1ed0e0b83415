import { canonicalValueProblem } from './canonical-json.js';
import { badJson, tooLarge } from './errors.js';
import { MAX_PDU_BYTES, pduBytes } from './event-size.js';
import type { JsonObject, StoredEvent, StrippedStateEvent } from './events.js';
import { newEventId, newRoomId } from './ids.js';
import { Room } from './room.js';

/** What a handler asks for; the store adds the id, timestamp and `unsigned`. */
export interface EventDraft {
  type: string;
  sender: string;
  content: JsonObject;
  stateKey?: string;
  redacts?: string;
  inviteRoomState?: StrippedStateEvent[];
}

export type EventListener = (event: StoredEvent, room: Room) => void;

/** Synapse's limit on `type`, `state_key`, `sender` and `room_id`, in bytes. */
const MAX_ID_FIELD_BYTES = 255;

/** Every room on the server, and the one place where events are created. */
export class RoomStore {
  readonly aliases = new Map<string, string>();
  private readonly rooms = new Map<string, Room>();
  private readonly roomOfEvent = new Map<string, Room>();
  private readonly listeners = new Set<EventListener>();

  constructor(private readonly serverName: string) {}

  create(version: string): Room {
    const room = new Room(newRoomId(this.serverName), version);
    this.rooms.set(room.roomId, room);
    return room;
  }

  get(roomId: string): Room | undefined {
    return this.rooms.get(roomId);
  }

  all(): Room[] {
    return [...this.rooms.values()];
  }

  findEvent(eventId: string): { room: Room; event: StoredEvent } | undefined {
    const room = this.roomOfEvent.get(eventId);
    const event = room?.events.find((e) => e.event_id === eventId);
    return room && event ? { room, event } : undefined;
  }

  /** Returns a function that removes the listener. */
  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Checks the draft as Synapse checks a new event (canonical JSON values, field lengths, the
   * 64 KiB PDU limit), stamps it, appends it to the room and tells every listener.
   * Authorization is the caller's job. Throws a MatrixError.
   */
  append(room: Room, draft: EventDraft): StoredEvent {
    const problem = canonicalValueProblem(draft.content);
    if (problem) throw badJson(problem);
    for (const [field, value] of [
      ['type', draft.type],
      ['state_key', draft.stateKey ?? ''],
      ['sender', draft.sender],
    ] as const) {
      if (Buffer.byteLength(value) > MAX_ID_FIELD_BYTES) throw tooLarge(`'${field}' too large`);
    }

    const event: StoredEvent = {
      event_id: newEventId(),
      room_id: room.roomId,
      sender: draft.sender,
      type: draft.type,
      content: structuredClone(draft.content),
      origin_server_ts: Date.now(),
      unsigned: {},
    };
    if (draft.stateKey !== undefined) {
      event.state_key = draft.stateKey;
      const previous = room.stateEvent(draft.type, draft.stateKey);
      if (previous) {
        event.unsigned.replaces_state = previous.event_id;
        event.unsigned.prev_content = structuredClone(previous.content);
        event.unsigned.prev_sender = previous.sender;
      }
    }
    if (draft.redacts !== undefined) event.redacts = draft.redacts;
    if (draft.inviteRoomState) event.unsigned.invite_room_state = draft.inviteRoomState;

    const bytes = pduBytes(event, this.serverName, room.events.length + 1);
    if (bytes > MAX_PDU_BYTES) {
      throw tooLarge(
        `event too large: ${bytes} bytes as canonical JSON (PDU form); ` +
          `the limit is ${MAX_PDU_BYTES}`,
      );
    }

    room.append(event);
    this.roomOfEvent.set(event.event_id, room);
    for (const listener of this.listeners) listener(event, room);
    return event;
  }
}
