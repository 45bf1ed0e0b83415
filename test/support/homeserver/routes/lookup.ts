import { forbidden, notFound } from '../errors.js';
import type { Room } from '../room.js';
import type { Services } from '../services.js';

/**
 * The room for a request by someone who needs to be in it. An unknown room answers like a
 * room the user is not in (403), as Synapse's membership check does.
 */
export function roomFor(s: Services, roomId: string, userId: string): Room {
  const room = s.rooms.get(roomId);
  if (!room) throw forbidden(`User ${userId} not in room ${roomId}`);
  return room;
}

/** A room id or a local alias; 404 when neither leads to a room on this server. */
export function roomForJoin(s: Services, roomIdOrAlias: string): Room {
  const roomId = roomIdOrAlias.startsWith('#') ? s.rooms.aliases.get(roomIdOrAlias) : roomIdOrAlias;
  const room = roomId === undefined ? undefined : s.rooms.get(roomId);
  if (!room) {
    throw roomIdOrAlias.startsWith('#')
      ? notFound(`Room alias ${roomIdOrAlias} not found`)
      : notFound('No known servers');
  }
  return room;
}
