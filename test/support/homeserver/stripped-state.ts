import type { StrippedStateEvent } from './events.js';
import type { Room } from './room.js';

/** Synapse's default `room_prejoin_state`: what an invitee sees of the room before joining. */
const PREJOIN_STATE_TYPES = [
  'm.room.create',
  'm.room.join_rules',
  'm.room.canonical_alias',
  'm.room.avatar',
  'm.room.encryption',
  'm.room.name',
  'm.room.topic',
];

/** The stripped state for an invite sent by `inviter`, including the inviter's own membership. */
export function inviteRoomState(room: Room, inviter: string): StrippedStateEvent[] {
  const events = PREJOIN_STATE_TYPES.map((type) => room.stateEvent(type));
  events.push(room.stateEvent('m.room.member', inviter));

  return events.flatMap((event) =>
    event
      ? [
          {
            type: event.type,
            state_key: event.state_key ?? '',
            content: structuredClone(event.content),
            sender: event.sender,
          },
        ]
      : [],
  );
}
