/**
 * Events as stored here and as served: the client format Synapse uses for appservice
 * transactions and for `/event`, `/state` (its "v1" format, with the legacy top-level `user_id`
 * and `age`, and `prev_content`, `replaces_state`, `invite_room_state` copied up from `unsigned`).
 */

export type JsonObject = Record<string, unknown>;

/** A state event cut down to what an invitee may see before joining. */
export interface StrippedStateEvent {
  type: string;
  state_key: string;
  content: JsonObject;
  sender: string;
}

export interface StoredEvent {
  event_id: string;
  room_id: string;
  sender: string;
  type: string;
  content: JsonObject;
  origin_server_ts: number;
  state_key?: string;
  /** Room versions 1–10 put `redacts` at the top level; it is copied into content when served. */
  redacts?: string;
  unsigned: {
    replaces_state?: string;
    prev_content?: JsonObject;
    prev_sender?: string;
    invite_room_state?: StrippedStateEvent[];
    redacted_because?: StoredEvent;
  };
}

export interface ClientEvent {
  event_id: string;
  room_id: string;
  sender: string;
  type: string;
  content: JsonObject;
  origin_server_ts: number;
  state_key?: string;
  redacts?: string;
  unsigned: {
    age: number;
    replaces_state?: string;
    prev_content?: JsonObject;
    prev_sender?: string;
    invite_room_state?: StrippedStateEvent[];
    redacted_because?: ClientEvent;
    transaction_id?: string;
  };
  /** Legacy copy of `sender`, still sent by Synapse. */
  user_id: string;
  /** Legacy copy of `unsigned.age`. */
  age: number;
  prev_content?: JsonObject;
  replaces_state?: string;
  invite_room_state?: StrippedStateEvent[];
}

export interface SerializeOptions {
  /** Keep `invite_room_state`; Synapse includes it only where the invitee may see it. */
  strippedState: boolean;
}

export function isStateEvent(event: StoredEvent): boolean {
  return event.state_key !== undefined;
}

/** A deep copy in client format, so callers can never change what is stored. */
export function serializeEvent(
  event: StoredEvent,
  now: number,
  options: SerializeOptions,
): ClientEvent {
  const age = Math.max(0, now - event.origin_server_ts);
  const { redacted_because, invite_room_state, ...unsignedRest } = event.unsigned;
  const unsigned: ClientEvent['unsigned'] = { age, ...structuredClone(unsignedRest) };
  if (redacted_because) unsigned.redacted_because = serializeEvent(redacted_because, now, options);
  if (invite_room_state && options.strippedState) {
    unsigned.invite_room_state = structuredClone(invite_room_state);
  }

  const out: ClientEvent = {
    event_id: event.event_id,
    room_id: event.room_id,
    sender: event.sender,
    type: event.type,
    content: structuredClone(event.content),
    origin_server_ts: event.origin_server_ts,
    unsigned,
    user_id: event.sender,
    age,
  };
  if (event.state_key !== undefined) out.state_key = event.state_key;
  if (event.redacts !== undefined) {
    out.redacts = event.redacts;
    out.content.redacts = event.redacts;
  }
  if (unsigned.prev_content) out.prev_content = structuredClone(unsigned.prev_content);
  if (unsigned.replaces_state) out.replaces_state = unsigned.replaces_state;
  if (unsigned.invite_room_state) {
    out.invite_room_state = structuredClone(unsigned.invite_room_state);
  }
  return out;
}
