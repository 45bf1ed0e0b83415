import type { Appservice } from './appservice.js';
import type { StoredEvent } from './events.js';
import type { Room } from './room.js';
import type { RoomStore } from './rooms.js';

/**
 * Synapse's `is_interested_in_event`: the sender, or the target of a membership event, is the
 * bot or in a user namespace; or the room matches a room or alias namespace; or one of the
 * room's joined members (after the event) is the bot or in a user namespace.
 */
export function isInterested(
  appservice: Appservice,
  rooms: RoomStore,
  room: Room,
  event: StoredEvent,
): boolean {
  if (appservice.isInterestedInUser(event.sender)) return true;
  if (event.type === 'm.room.member' && event.state_key !== undefined) {
    if (appservice.isInterestedInUser(event.state_key)) return true;
  }
  if (appservice.isInterestedInRoomId(room.roomId)) return true;
  for (const [alias, roomId] of rooms.aliases) {
    if (roomId === room.roomId && appservice.isInterestedInAlias(alias)) return true;
  }
  return room.joinedMembers().some((userId) => appservice.isInterestedInUser(userId));
}
