import { MatrixError } from './errors.js';
import type { JsonObject } from './events.js';
import type { Room } from './room.js';
import type { RoomStore } from './rooms.js';

/** Synapse's limit on a reaction key, in characters. */
const MAX_AGGREGATION_KEY = 500;

function relationOf(
  content: JsonObject,
): { relType: string; parentId: string; key?: unknown } | undefined {
  const relatesTo = content['m.relates_to'];
  if (relatesTo === null || typeof relatesTo !== 'object') return undefined;
  const { rel_type: relType, event_id: parentId, key } = relatesTo as JsonObject;
  if (typeof relType !== 'string' || typeof parentId !== 'string') return undefined;
  return { relType, parentId, key };
}

function relationError(message: string, errcode = 'M_UNKNOWN'): MatrixError {
  return new MatrixError(400, errcode, message);
}

/**
 * The checks Synapse makes on a new event with a `rel_type` relation: the parent exists in the
 * same room, a user annotates an event with the same key at most once, and no thread starts
 * from an event that is itself a relation. Replies (`m.in_reply_to`) are not relations here.
 */
export function validateRelation(
  rooms: RoomStore,
  room: Room,
  sender: string,
  type: string,
  content: JsonObject,
): void {
  const relation = relationOf(content);
  if (!relation) return;

  const parent = rooms.findEvent(relation.parentId);
  if (!parent) throw relationError(`Can't send relation to unknown event ${relation.parentId}`);
  if (parent.room !== room) throw relationError('Relations must be in the same room');

  if (relation.relType === 'm.annotation') {
    if (typeof relation.key !== 'string') throw relationError('Missing aggregation key');
    if (relation.key.length > MAX_AGGREGATION_KEY) {
      throw relationError('Aggregation key is too long');
    }
    const duplicate = room.events.some((e) => {
      const other = relationOf(e.content);
      return (
        e.sender === sender &&
        e.type === type &&
        !e.unsigned.redacted_because &&
        other?.relType === 'm.annotation' &&
        other.parentId === relation.parentId &&
        other.key === relation.key
      );
    });
    if (duplicate) throw relationError("Can't send same reaction twice", 'M_DUPLICATE_ANNOTATION');
  }

  if (relation.relType === 'm.thread' && relationOf(parent.event.content)) {
    throw relationError('Cannot start threads from an event with a relation');
  }
}
