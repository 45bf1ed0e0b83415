import type { Room } from './room.js';

/**
 * Whether the user may see the event at `index`, by the room's history visibility at that event
 * and the user's membership then and now (the spec's rules, as Synapse applies them).
 */
export function canSeeEvent(room: Room, userId: string, index: number): boolean {
  const event = room.events[index];
  if (!event) return false;

  const visibility =
    room.stateAfter(index).find((e) => e.type === 'm.room.history_visibility')?.content
      .history_visibility ?? 'shared';
  if (visibility === 'world_readable') return true;

  const ownMembershipEvent = event.type === 'm.room.member' && event.state_key === userId;
  const atEvent = ownMembershipEvent
    ? (event.content.membership as string)
    : room.membershipBefore(userId, index);
  const now = room.membershipOf(userId);

  if (atEvent === 'join') return true;
  if (visibility === 'shared') return now === 'join';
  if (visibility === 'invited') return atEvent === 'invite' || now === 'join';
  return false;
}

/** The index whose state a user may read: now if joined, at their leaving if they left. */
export function readableStateIndex(room: Room, userId: string): number | undefined {
  const membership = room.membershipOf(userId);
  if (membership === 'join') return room.events.length - 1;
  if (membership === 'leave' || membership === 'ban') {
    const event = room.stateEvent('m.room.member', userId);
    return event ? room.indexOf(event.event_id) : undefined;
  }
  return undefined;
}
