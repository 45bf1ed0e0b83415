import { accessTokenOf, authenticate } from '../auth.js';
import { MatrixError, badJson, forbidden } from '../errors.js';
import { jsonBody, ok } from '../http/context.js';
import { route, type Route } from '../http/router.js';
import { localpartProblem } from '../ids.js';
import type { Services } from '../services.js';

const APPSERVICE_LOGIN = 'm.login.application_service';

/** Spec versions an older server (no authenticated media) declares. */
const BASE_VERSIONS = [
  'r0.0.1',
  'r0.1.0',
  'r0.2.0',
  'r0.3.0',
  'r0.4.0',
  'r0.5.0',
  'r0.6.0',
  'r0.6.1',
  'v1.1',
  'v1.2',
  'v1.3',
  'v1.4',
  'v1.5',
  'v1.6',
  'v1.7',
  'v1.8',
  'v1.9',
  'v1.10',
];

export function accountRoutes(s: Services): Route[] {
  return [
    route('GET', '/_matrix/client/versions', (ctx) => {
      // Synapse authenticates a token when one is sent, so a bad one is refused here too.
      if (accessTokenOf(ctx) !== undefined) authenticate(s, ctx);
      const versions = s.options.authenticatedMedia
        ? [...BASE_VERSIONS, 'v1.11', 'v1.12']
        : BASE_VERSIONS;
      return ok({ versions, unstable_features: {} });
    }),

    route('POST', '/_matrix/client/{v3|r0}/register', (ctx) => {
      const body = jsonBody(ctx);
      const kind = ctx.query.get('kind') ?? 'user';
      if (kind !== 'user') {
        throw new MatrixError(403, 'M_FORBIDDEN', `Registration of kind "${kind}" is disabled`);
      }
      const token = accessTokenOf(ctx);
      if (token === undefined) {
        if (body.type === APPSERVICE_LOGIN) {
          throw new MatrixError(
            401,
            'M_MISSING_TOKEN',
            'Appservice token must be provided when using a type of m.login.application_service',
          );
        }
        // Synapse's default: enable_registration is false.
        throw forbidden('Registration has been disabled');
      }
      if (token !== s.appservice.asToken) {
        throw new MatrixError(401, 'M_UNKNOWN_TOKEN', 'Unrecognised access token.', {
          soft_logout: false,
        });
      }
      if (body.type !== APPSERVICE_LOGIN) {
        throw badJson(`expected "type": "${APPSERVICE_LOGIN}", got ${JSON.stringify(body.type)}`);
      }
      const username = body.username ?? body.user;
      if (typeof username !== 'string') {
        throw badJson('Desired Username is missing or not a string');
      }
      return ok(registerAppserviceUser(s, username, body.inhibit_login === true));
    }),

    route('GET', '/_matrix/client/{v3|r0}/account/whoami', (ctx) => {
      const requester = authenticate(s, ctx);
      const answer: Record<string, unknown> = { user_id: requester.userId, is_guest: false };
      if (requester.deviceId) answer.device_id = requester.deviceId;
      return ok(answer);
    }),
  ];
}

function registerAppserviceUser(s: Services, localpart: string, inhibitLogin: boolean) {
  const { serverName } = s.options;
  const problem = localpartProblem(localpart, serverName);
  if (problem) throw new MatrixError(400, 'M_INVALID_USERNAME', problem);

  const userId = `@${localpart}:${serverName}`;
  if (!s.appservice.isInterestedInUser(userId)) {
    throw new MatrixError(
      400,
      'M_EXCLUSIVE',
      `Invalid user localpart for this application service: ${userId} matches none of its ` +
        'user namespaces',
    );
  }
  if (s.users.has(userId)) throw new MatrixError(400, 'M_USER_IN_USE', 'User ID already taken.');

  s.users.add(userId, 'appservice', localpart);
  const answer: Record<string, unknown> = { user_id: userId, home_server: serverName };
  if (!inhibitLogin) {
    const { accessToken, deviceId } = s.users.issueToken(userId);
    Object.assign(answer, { access_token: accessToken, device_id: deviceId });
  }
  return answer;
}
