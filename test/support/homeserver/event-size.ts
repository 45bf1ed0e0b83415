import { canonicalJson } from './canonical-json.js';
import type { StoredEvent } from './events.js';

/** Synapse's `MAX_PDU_SIZE`: the limit on an event in canonical JSON, in bytes. */
export const MAX_PDU_BYTES = 65_536;

const EVENT_ID = '$' + 'A'.repeat(43);

/**
 * The size Synapse checks before accepting an event: its federation (PDU) form as canonical JSON,
 * which carries hashes, a signature, auth and prev event ids and a depth besides what clients
 * see. Those are filled with placeholders of the real lengths, so the count lands within a few
 * bytes of Synapse's, and always above the size of the client-format event.
 */
export function pduBytes(event: StoredEvent, serverName: string, depth: number): number {
  const isState = event.state_key !== undefined;
  const pdu = {
    auth_events: Array.from({ length: isState ? 4 : 3 }, () => EVENT_ID),
    content: event.content,
    depth,
    hashes: { sha256: 'A'.repeat(43) },
    origin: serverName,
    origin_server_ts: event.origin_server_ts,
    prev_events: [EVENT_ID],
    redacts: event.redacts,
    room_id: event.room_id,
    sender: event.sender,
    signatures: { [serverName]: { 'ed25519:a_AAAA': 'A'.repeat(86) } },
    state_key: event.state_key,
    type: event.type,
    unsigned: { age_ts: event.origin_server_ts, replaces_state: event.unsigned.replaces_state },
  };
  return Buffer.byteLength(canonicalJson(pdu));
}
