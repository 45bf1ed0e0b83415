import { MatrixError, forbidden } from './errors.js';
import type { RequestContext } from './http/context.js';
import type { Services } from './services.js';

/** Who a request acts as. */
export interface Requester {
  userId: string;
  accessToken: string;
  /** Absent for the appservice, which has no device. */
  deviceId?: string;
  /** Set whenever the appservice's as_token was used, masquerading or not. */
  appserviceId?: string;
}

function missingToken(message: string): MatrixError {
  return new MatrixError(401, 'M_MISSING_TOKEN', message);
}

/**
 * The access token of the request: `Authorization: Bearer …` or the `access_token` query
 * parameter (still accepted by Synapse), never both. Undefined when there is none.
 */
export function accessTokenOf(ctx: RequestContext): string | undefined {
  const header = ctx.headers.authorization;
  const queryToken = ctx.query.get('access_token') ?? undefined;
  if (header !== undefined) {
    if (queryToken !== undefined) {
      throw missingToken('Mixing Authorization headers and access_token query parameters.');
    }
    const match = /^Bearer (\S+)$/.exec(header);
    if (!match?.[1]) throw missingToken('Invalid Authorization header.');
    return match[1];
  }
  return queryToken;
}

/**
 * Authenticates the request as Synapse does. The as_token acts as the bot, or with `user_id` as
 * a user in the appservice's namespaces that has been registered; human tokens ignore
 * `user_id`. Throws 401 M_MISSING_TOKEN / M_UNKNOWN_TOKEN or 403 M_FORBIDDEN.
 */
export function authenticate(services: Services, ctx: RequestContext): Requester {
  const token = accessTokenOf(ctx);
  if (token === undefined) throw missingToken('Missing access token.');

  const { appservice, users } = services;
  let requester: Requester;
  if (token === appservice.asToken) {
    const target = ctx.query.get('user_id') ?? appservice.botUserId;
    if (target !== appservice.botUserId) {
      if (!appservice.isInterestedInUser(target)) {
        throw forbidden(`Application service cannot masquerade as this user (${target}).`);
      }
      if (!users.has(target)) {
        throw forbidden(`Application service has not registered this user (${target})`);
      }
    }
    requester = { userId: target, accessToken: token, appserviceId: appservice.id };
  } else {
    const device = users.byToken(token);
    if (!device) {
      throw new MatrixError(401, 'M_UNKNOWN_TOKEN', 'Unrecognised access token.', {
        soft_logout: false,
      });
    }
    requester = { userId: device.userId, accessToken: token, deviceId: device.deviceId };
  }
  ctx.userId = requester.userId;
  return requester;
}
