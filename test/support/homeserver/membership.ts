import { forbidden, invalidParam } from './errors.js';
import type { JsonObject, StoredEvent } from './events.js';
import { parseUserId } from './ids.js';
import type { Room } from './room.js';
import type { RoomStore } from './rooms.js';
import { inviteRoomState } from './stripped-state.js';
import type { UserDirectory } from './users.js';

/**
 * Membership changes, checked by the room's auth rules the way Synapse checks them for local
 * users: who may invite, join, leave, kick and ban, and at which power level.
 */
export class Memberships {
  constructor(
    private readonly rooms: RoomStore,
    private readonly users: UserDirectory,
  ) {}

  requireJoined(room: Room, userId: string): void {
    if (room.membershipOf(userId) !== 'join') {
      throw forbidden(`User ${userId} not in room ${room.roomId}`);
    }
  }

  invite(room: Room, sender: string, target: string, extra: JsonObject = {}): StoredEvent {
    requireUserId(target);
    this.requireJoined(room, sender);

    const current = room.membershipOf(target);
    if (current === 'join') throw forbidden(`${target} is already in the room.`);
    if (current === 'ban') throw forbidden(`${target} is banned from the room`);
    if (room.powerLevelOf(sender) < room.levelForAction('invite')) {
      throw forbidden(
        `You don't have permission to invite users (need power level ${room.levelForAction(
          'invite',
        )})`,
      );
    }

    return this.rooms.append(room, {
      type: 'm.room.member',
      sender,
      stateKey: target,
      content: { ...extra, ...this.profileOf(target), membership: 'invite' },
      inviteRoomState: inviteRoomState(room, sender),
    });
  }

  /** Joins the user; an already joined user gets the existing event back, as from Synapse. */
  join(room: Room, userId: string): StoredEvent {
    const current = room.membershipOf(userId);
    if (current === 'join') return room.stateEvent('m.room.member', userId) as StoredEvent;
    if (current === 'ban') throw forbidden('You are banned from this room');
    if (room.joinRule() !== 'public' && current !== 'invite') {
      throw forbidden('You are not invited to this room.');
    }
    return this.changeOwn(room, userId, { ...this.profileOf(userId), membership: 'join' });
  }

  /** The auth rules let the creator join right after the create event, before any join rule. */
  joinAsCreator(room: Room, creator: string): StoredEvent {
    if (room.events.length !== 1 || room.events[0]?.sender !== creator) {
      throw new Error(`joinAsCreator: ${creator} did not just create ${room.roomId}`);
    }
    return this.changeOwn(room, creator, { ...this.profileOf(creator), membership: 'join' });
  }

  /** Leaves the room, or rejects a pending invite. */
  leave(room: Room, userId: string, reason?: string): StoredEvent {
    const current = room.membershipOf(userId);
    if (current === 'ban') throw forbidden('You are banned from this room');
    if (current !== 'join' && current !== 'invite' && current !== 'knock') {
      throw forbidden(`User ${userId} not in room ${room.roomId}`);
    }
    return this.changeOwn(room, userId, withReason({ membership: 'leave' }, reason));
  }

  kick(room: Room, sender: string, target: string, reason?: string): StoredEvent {
    requireUserId(target);
    this.requireJoined(room, sender);
    const current = room.membershipOf(target);
    if (current === 'ban') throw forbidden(`${target} is banned; unban instead of kicking`);
    if (current !== 'join' && current !== 'invite' && current !== 'knock') {
      throw forbidden('The target user is not in the room');
    }
    this.requireOutranks(room, sender, target, 'kick');
    return this.changeOther(room, sender, target, withReason({ membership: 'leave' }, reason));
  }

  ban(room: Room, sender: string, target: string, reason?: string): StoredEvent {
    requireUserId(target);
    this.requireJoined(room, sender);
    this.requireOutranks(room, sender, target, 'ban');
    return this.changeOther(room, sender, target, withReason({ membership: 'ban' }, reason));
  }

  unban(room: Room, sender: string, target: string, reason?: string): StoredEvent {
    requireUserId(target);
    this.requireJoined(room, sender);
    if (room.membershipOf(target) !== 'ban') throw forbidden(`${target} is not banned`);
    if (room.powerLevelOf(sender) < room.levelForAction('ban')) {
      throw forbidden('You do not have permission to unban users');
    }
    return this.changeOther(room, sender, target, withReason({ membership: 'leave' }, reason));
  }

  /** Synapse repeats a profile change as a new join event in every room the user is in. */
  propagateProfile(userId: string): void {
    for (const room of this.rooms.all()) {
      if (room.membershipOf(userId) !== 'join') continue;
      this.changeOwn(room, userId, { ...this.profileOf(userId), membership: 'join' });
    }
  }

  private profileOf(userId: string): JsonObject {
    const user = this.users.get(userId);
    const profile: JsonObject = {};
    if (user?.displayname !== undefined) profile.displayname = user.displayname;
    if (user?.avatarUrl !== undefined) profile.avatar_url = user.avatarUrl;
    return profile;
  }

  private requireOutranks(room: Room, sender: string, target: string, action: 'kick' | 'ban') {
    const senderLevel = room.powerLevelOf(sender);
    const needed = room.levelForAction(action);
    if (senderLevel < needed || room.powerLevelOf(target) >= senderLevel) {
      throw forbidden(
        `You cannot ${action} user ${target}: ${action} needs power level ${needed} and a level ` +
          `above the target's (${room.powerLevelOf(target)}); yours is ${senderLevel}`,
      );
    }
  }

  private changeOwn(room: Room, userId: string, content: JsonObject): StoredEvent {
    return this.changeOther(room, userId, userId, content);
  }

  private changeOther(room: Room, sender: string, target: string, content: JsonObject) {
    return this.rooms.append(room, {
      type: 'm.room.member',
      sender,
      stateKey: target,
      content,
    });
  }
}

function withReason(content: JsonObject, reason: string | undefined): JsonObject {
  return reason === undefined ? content : { ...content, reason };
}

function requireUserId(userId: string): void {
  if (!parseUserId(userId)) {
    throw invalidParam(`expected a user id like @name:server.name, got "${userId}"`);
  }
}
