import { authenticate } from '../auth.js';
import { MatrixError, badJson, notFound } from '../errors.js';
import { jsonBody, ok, param, type RequestContext } from '../http/context.js';
import { route, type Route } from '../http/router.js';
import type { Services } from '../services.js';
import type { UserRecord } from '../users.js';

/** Synapse's limit on a display name, in characters. */
const MAX_DISPLAYNAME = 256;

type Field = 'displayname' | 'avatar_url';

function profileOf(user: UserRecord): Record<string, string> {
  const profile: Record<string, string> = {};
  if (user.displayname !== undefined) profile.displayname = user.displayname;
  if (user.avatarUrl !== undefined) profile.avatar_url = user.avatarUrl;
  return profile;
}

/** Profiles are public, as with Synapse's default `require_auth_for_profile_requests: false`. */
export function profileRoutes(s: Services): Route[] {
  const lookup = (ctx: RequestContext): UserRecord => {
    const user = s.users.get(param(ctx, 'userId'));
    if (!user) throw notFound('Profile was not found');
    return user;
  };

  const getField = (field: Field) => (ctx: RequestContext) => {
    const value = profileOf(lookup(ctx))[field];
    return ok(value === undefined ? {} : { [field]: value });
  };

  const putField = (field: Field) => (ctx: RequestContext) => {
    const requester = authenticate(s, ctx);
    const user = lookup(ctx);
    if (user.userId !== requester.userId) {
      throw new MatrixError(400, 'M_FORBIDDEN', `Cannot set another user's ${field}`);
    }
    const value = jsonBody(ctx)[field];
    if (typeof value !== 'string') {
      throw badJson(`expected "${field}" to be a string, got ${JSON.stringify(value)}`);
    }
    if (profileOf(user)[field] === value) return ok({});
    if (field === 'displayname') {
      if (value.length > MAX_DISPLAYNAME) {
        throw new MatrixError(
          400,
          'M_BAD_JSON',
          `Display name is too long (max ${MAX_DISPLAYNAME})`,
        );
      }
      user.displayname = value;
    } else {
      user.avatarUrl = value;
    }
    // Synapse repeats the change as a new join event in every room the user is in.
    s.memberships.propagateProfile(user.userId);
    return ok({});
  };

  return [
    route('GET', '/_matrix/client/{v3|r0}/profile/:userId', (ctx) => ok(profileOf(lookup(ctx)))),
    route('GET', '/_matrix/client/{v3|r0}/profile/:userId/displayname', getField('displayname')),
    route('PUT', '/_matrix/client/{v3|r0}/profile/:userId/displayname', putField('displayname')),
    route('GET', '/_matrix/client/{v3|r0}/profile/:userId/avatar_url', getField('avatar_url')),
    route('PUT', '/_matrix/client/{v3|r0}/profile/:userId/avatar_url', putField('avatar_url')),
  ];
}
