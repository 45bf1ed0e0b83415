import { authenticate, type Requester } from '../auth.js';
import { firstFloatLiteral } from '../canonical-json.js';
import { MatrixError, badJson, forbidden, invalidParam } from '../errors.js';
import type { JsonObject } from '../events.js';
import {
  jsonBody,
  ok,
  optionalString,
  param,
  type Reply,
  type RequestContext,
} from '../http/context.js';
import { route, type Route } from '../http/router.js';
import { applyRedaction } from '../redaction.js';
import { validateRelation } from '../relations.js';
import type { Room } from '../room.js';
import type { Services } from '../services.js';
import { TransactionCache } from '../txn-cache.js';
import { roomFor } from './lookup.js';

const CLIENT = '/_matrix/client/{v3|r0}';

const RECEIPT_TYPES = new Set(['m.read', 'm.read.private', 'm.fully_read']);

/**
 * Event content from the body. Synapse refuses floats in events (room versions 6+); `1.0` only
 * shows in the raw text, so the text is scanned as well as the parsed value.
 */
export function eventContent(ctx: RequestContext): JsonObject {
  const content = jsonBody(ctx);
  const float = firstFloatLiteral(ctx.body.toString('utf8'));
  if (float !== undefined) throw badJson(`Bad JSON value: float (${float})`);
  return content;
}

/** Power to send an event of this type, by the room's power levels. */
export function requireSendLevel(room: Room, userId: string, type: string, isState: boolean) {
  const userLevel = room.powerLevelOf(userId);
  const needed = room.levelForEvent(type, isState);
  if (userLevel < needed) {
    throw forbidden(
      `You don't have permission to post that to the room. ` +
        `user_level (${userLevel}) < send_level (${needed})`,
    );
  }
}

/** Runs `handle` once per (sender, path) and answers repeats with the first answer. */
function idempotent(s: Services, ctx: RequestContext, requester: Requester, handle: () => Reply) {
  const key = TransactionCache.keyFor(ctx.path, requester);
  const cached = s.txnCache.get(key);
  if (cached) return cached;
  const reply = handle();
  s.txnCache.set(key, reply);
  return reply;
}

export function sendRoutes(s: Services): Route[] {
  const send = (ctx: RequestContext) => {
    const requester = authenticate(s, ctx);
    return idempotent(s, ctx, requester, () => {
      const sender = requester.userId;
      const type = param(ctx, 'eventType');
      const content = eventContent(ctx);
      const room = roomFor(s, param(ctx, 'roomId'), sender);
      s.memberships.requireJoined(room, sender);
      requireSendLevel(room, sender, type, false);
      validateRelation(s.rooms, room, sender, type, content);
      const event = s.rooms.append(room, { type, sender, content });
      return ok({ event_id: event.event_id });
    });
  };

  const redact = (ctx: RequestContext) => {
    const requester = authenticate(s, ctx);
    return idempotent(s, ctx, requester, () => {
      const sender = requester.userId;
      const reason = optionalString(jsonBody(ctx, { allowEmpty: true }), 'reason');
      const room = roomFor(s, param(ctx, 'roomId'), sender);
      s.memberships.requireJoined(room, sender);
      requireSendLevel(room, sender, 'm.room.redaction', false);

      const targetId = param(ctx, 'eventId');
      const target = s.rooms.findEvent(targetId);
      if (target && target.room !== room) {
        throw new MatrixError(400, 'M_UNKNOWN', 'Cannot redact event from a different room');
      }
      const mayRedactOthers = room.powerLevelOf(sender) >= room.levelForAction('redact');
      if (target && target.event.sender !== sender && !mayRedactOthers) {
        throw forbidden("You don't have permission to redact events");
      }
      const content: JsonObject = reason === undefined ? {} : { reason };
      const redaction = s.rooms.append(room, {
        type: 'm.room.redaction',
        sender,
        content,
        redacts: targetId,
      });
      if (target) applyRedaction(target.event, redaction);
      return ok({ event_id: redaction.event_id });
    });
  };

  const typing = (ctx: RequestContext) => {
    const requester = authenticate(s, ctx);
    const userId = param(ctx, 'userId');
    if (userId !== requester.userId) throw forbidden("Cannot set another user's typing state");
    const body = jsonBody(ctx);
    if (typeof body.typing !== 'boolean') {
      throw badJson(`expected "typing" to be a boolean, got ${JSON.stringify(body.typing)}`);
    }
    const room = roomFor(s, param(ctx, 'roomId'), userId);
    s.memberships.requireJoined(room, userId);
    const timeoutMs = body.typing ? Math.min(Number(body.timeout ?? 30_000), 120_000) : undefined;
    s.typing.push({ roomId: room.roomId, userId, typing: body.typing, timeoutMs, ts: Date.now() });
    return ok({});
  };

  const receipt = (ctx: RequestContext) => {
    const userId = authenticate(s, ctx).userId;
    const receiptType = param(ctx, 'receiptType');
    if (!RECEIPT_TYPES.has(receiptType)) {
      throw invalidParam(`Receipt type must be one of ${[...RECEIPT_TYPES].join(', ')}`);
    }
    jsonBody(ctx, { allowEmpty: true });
    const room = roomFor(s, param(ctx, 'roomId'), userId);
    s.memberships.requireJoined(room, userId);
    const eventId = param(ctx, 'eventId');
    s.receipts.push({ roomId: room.roomId, userId, receiptType, eventId, ts: Date.now() });
    return ok({});
  };

  return [
    route('PUT', `${CLIENT}/rooms/:roomId/send/:eventType/:txnId`, send),
    route('PUT', `${CLIENT}/rooms/:roomId/redact/:eventId/:txnId`, redact),
    route('PUT', `${CLIENT}/rooms/:roomId/typing/:userId`, typing),
    route('POST', `${CLIENT}/rooms/:roomId/receipt/:receiptType/:eventId`, receipt),
  ];
}
