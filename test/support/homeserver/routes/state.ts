import { authenticate, type Requester } from '../auth.js';
import { canonicalJson } from '../canonical-json.js';
import { forbidden, notFound } from '../errors.js';
import { serializeEvent, type JsonObject, type StoredEvent } from '../events.js';
import { ok, param, type RequestContext } from '../http/context.js';
import { route, type Route } from '../http/router.js';
import type { Room } from '../room.js';
import type { Services } from '../services.js';
import { canSeeEvent, readableStateIndex } from '../visibility.js';
import { roomFor } from './lookup.js';
import { eventContent, requireSendLevel } from './send.js';

const CLIENT = '/_matrix/client/{v3|r0}';

function toClient(event: StoredEvent) {
  return serializeEvent(event, Date.now(), { strippedState: false });
}

/** The state the user may read: current if joined, as it was when they left otherwise. */
function readableState(s: Services, ctx: RequestContext, userId: string): StoredEvent[] {
  const room = roomFor(s, param(ctx, 'roomId'), userId);
  const index = readableStateIndex(room, userId);
  if (index === undefined) {
    throw forbidden(`User ${userId} not in room ${room.roomId}, and room previews are disabled`);
  }
  return index === room.events.length - 1 ? room.currentState() : room.stateAfter(index);
}

/** `m.room.member` through the state API goes through the membership rules. */
function putMembership(
  s: Services,
  room: Room,
  sender: string,
  target: string,
  content: JsonObject,
) {
  const reason = typeof content.reason === 'string' ? content.reason : undefined;
  switch (content.membership) {
    case 'join':
      if (target !== sender) throw forbidden('Cannot force another user to join.');
      return s.memberships.join(room, sender);
    case 'leave':
      return target === sender
        ? s.memberships.leave(room, sender, reason)
        : s.memberships.kick(room, sender, target, reason);
    case 'invite':
      return s.memberships.invite(room, sender, target, reason === undefined ? {} : { reason });
    case 'ban':
      return s.memberships.ban(room, sender, target, reason);
    default:
      throw forbidden(`Unknown membership ${JSON.stringify(content.membership)}`);
  }
}

export function stateRoutes(s: Services): Route[] {
  const putState = (ctx: RequestContext) => {
    const sender = authenticate(s, ctx).userId;
    const type = param(ctx, 'eventType');
    const stateKey = ctx.params.stateKey ?? '';
    const content = eventContent(ctx);
    const room = roomFor(s, param(ctx, 'roomId'), sender);
    if (type === 'm.room.member') {
      return ok({ event_id: putMembership(s, room, sender, stateKey, content).event_id });
    }

    s.memberships.requireJoined(room, sender);
    if (type === 'm.room.create') throw forbidden('The create event cannot be replaced');
    if (stateKey.startsWith('@') && stateKey !== sender) {
      throw forbidden(`You are not allowed to set others' state (state_key ${stateKey})`);
    }
    requireSendLevel(room, sender, type, true);
    // Synapse answers an unchanged state event with the existing one.
    const current = room.stateEvent(type, stateKey);
    if (current?.sender === sender && canonicalJson(current.content) === canonicalJson(content)) {
      return ok({ event_id: current.event_id });
    }
    const event = s.rooms.append(room, { type, sender, stateKey, content });
    return ok({ event_id: event.event_id });
  };

  const getState = (ctx: RequestContext) => {
    const userId = authenticate(s, ctx).userId;
    const type = param(ctx, 'eventType');
    const stateKey = ctx.params.stateKey ?? '';
    const event = readableState(s, ctx, userId).find(
      (e) => e.type === type && e.state_key === stateKey,
    );
    if (!event) throw notFound('Event not found.');
    return ok(ctx.query.get('format') === 'event' ? toClient(event) : event.content);
  };

  const joinedMembers = (ctx: RequestContext) => {
    const requester: Requester = authenticate(s, ctx);
    const room = roomFor(s, param(ctx, 'roomId'), requester.userId);
    const members = room.joinedMembers();
    const allowed = requester.appserviceId
      ? members.some((userId) => s.appservice.isInterestedInUser(userId))
      : room.membershipOf(requester.userId) === 'join';
    if (!allowed) throw forbidden(`User ${requester.userId} not in room ${room.roomId}`);

    const joined: Record<string, JsonObject> = {};
    for (const userId of members) {
      const content = room.stateContent('m.room.member', userId) ?? {};
      const profile: JsonObject = {};
      if (typeof content.displayname === 'string') profile.display_name = content.displayname;
      if (typeof content.avatar_url === 'string') profile.avatar_url = content.avatar_url;
      joined[userId] = profile;
    }
    return ok({ joined });
  };

  const getEvent = (ctx: RequestContext) => {
    const userId = authenticate(s, ctx).userId;
    const room = s.rooms.get(param(ctx, 'roomId'));
    const index = room?.indexOf(param(ctx, 'eventId')) ?? -1;
    const event = room?.events[index];
    if (!room || !event || !canSeeEvent(room, userId, index)) throw notFound('Event not found.');
    return ok(toClient(event));
  };

  return [
    route('PUT', `${CLIENT}/rooms/:roomId/state/:eventType/:stateKey?`, putState),
    route('GET', `${CLIENT}/rooms/:roomId/state/:eventType/:stateKey?`, getState),
    route('GET', `${CLIENT}/rooms/:roomId/state`, (ctx) => {
      const userId = authenticate(s, ctx).userId;
      return ok(readableState(s, ctx, userId).map(toClient));
    }),
    route('GET', `${CLIENT}/rooms/:roomId/members`, (ctx) => {
      const userId = authenticate(s, ctx).userId;
      const members = readableState(s, ctx, userId).filter((e) => e.type === 'm.room.member');
      return ok({ chunk: members.map(toClient) });
    }),
    route('GET', `${CLIENT}/rooms/:roomId/joined_members`, joinedMembers),
    route('GET', `${CLIENT}/rooms/:roomId/event/:eventId`, getEvent),
  ];
}
