import { authenticate } from '../auth.js';
import { missingParam } from '../errors.js';
import { jsonBody, ok, optionalString, param, type RequestContext } from '../http/context.js';
import { route, type Route } from '../http/router.js';
import type { Services } from '../services.js';
import { roomFor, roomForJoin } from './lookup.js';

const CLIENT = '/_matrix/client/{v3|r0}';

export function membershipRoutes(s: Services): Route[] {
  const join = (ctx: RequestContext, key: 'roomId' | 'roomIdOrAlias') => {
    const userId = authenticate(s, ctx).userId;
    jsonBody(ctx, { allowEmpty: true });
    const room = roomForJoin(s, param(ctx, key));
    s.memberships.join(room, userId);
    return ok({ room_id: room.roomId });
  };

  /** invite, kick, ban and unban: a target `user_id` and an optional `reason`. */
  const onTarget = (action: 'invite' | 'kick' | 'ban' | 'unban') => (ctx: RequestContext) => {
    const sender = authenticate(s, ctx).userId;
    const body = jsonBody(ctx);
    const target = optionalString(body, 'user_id');
    if (target === undefined) throw missingParam('Missing user_id');
    const reason = optionalString(body, 'reason');
    const room = roomFor(s, param(ctx, 'roomId'), sender);
    if (action === 'invite') {
      s.memberships.invite(room, sender, target, reason === undefined ? {} : { reason });
    } else {
      s.memberships[action](room, sender, target, reason);
    }
    return ok({});
  };

  return [
    route('POST', `${CLIENT}/join/:roomIdOrAlias`, (ctx) => join(ctx, 'roomIdOrAlias')),
    route('POST', `${CLIENT}/rooms/:roomId/join`, (ctx) => join(ctx, 'roomId')),
    route('POST', `${CLIENT}/rooms/:roomId/leave`, (ctx) => {
      const userId = authenticate(s, ctx).userId;
      const reason = optionalString(jsonBody(ctx, { allowEmpty: true }), 'reason');
      s.memberships.leave(roomFor(s, param(ctx, 'roomId'), userId), userId, reason);
      return ok({});
    }),
    route('POST', `${CLIENT}/rooms/:roomId/invite`, onTarget('invite')),
    route('POST', `${CLIENT}/rooms/:roomId/kick`, onTarget('kick')),
    route('POST', `${CLIENT}/rooms/:roomId/ban`, onTarget('ban')),
    route('POST', `${CLIENT}/rooms/:roomId/unban`, onTarget('unban')),
    route('GET', `${CLIENT}/joined_rooms`, (ctx) => {
      const userId = authenticate(s, ctx).userId;
      const joined = s.rooms.all().filter((room) => room.membershipOf(userId) === 'join');
      return ok({ joined_rooms: joined.map((room) => room.roomId) });
    }),
  ];
}
