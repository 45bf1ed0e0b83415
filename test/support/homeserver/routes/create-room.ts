import { authenticate } from '../auth.js';
import { MatrixError, badJson, invalidParam } from '../errors.js';
import type { JsonObject } from '../events.js';
import { jsonBody, ok, optionalString, type RequestContext } from '../http/context.js';
import { route, type Route } from '../http/router.js';
import { parseUserId } from '../ids.js';
import type { Services } from '../services.js';

const SUPPORTED_ROOM_VERSIONS = new Set(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11']);

/** Synapse's default `default_room_version`. */
const DEFAULT_ROOM_VERSION = '10';

interface Preset {
  joinRule: string;
  guestCanJoin: boolean;
  inviteesAreAdmins: boolean;
  powerLevelOverride: JsonObject;
}

const PRESETS: Record<string, Preset> = {
  private_chat: {
    joinRule: 'invite',
    guestCanJoin: true,
    inviteesAreAdmins: false,
    powerLevelOverride: { invite: 0 },
  },
  trusted_private_chat: {
    joinRule: 'invite',
    guestCanJoin: true,
    inviteesAreAdmins: true,
    powerLevelOverride: { invite: 0 },
  },
  public_chat: {
    joinRule: 'public',
    guestCanJoin: false,
    inviteesAreAdmins: false,
    powerLevelOverride: {},
  },
};

interface InitialState {
  type: string;
  stateKey: string;
  content: JsonObject;
}

function parseInvites(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw badJson(`expected "invite" to be a list of user ids`);
  return value.map((userId: unknown) => {
    if (typeof userId !== 'string' || !parseUserId(userId)) {
      throw invalidParam(`Invalid user_id: ${JSON.stringify(userId)}`);
    }
    return userId;
  });
}

function parseInitialState(value: unknown): InitialState[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw badJson('expected "initial_state" to be a list of events');
  return value.map((entry: unknown, index) => {
    const event = (entry ?? {}) as JsonObject;
    const stateKey = event.state_key ?? '';
    const content = event.content;
    if (typeof event.type !== 'string' || typeof stateKey !== 'string') {
      throw badJson(`initial_state[${index}]: expected string "type" and "state_key"`);
    }
    if (content === null || typeof content !== 'object' || Array.isArray(content)) {
      throw badJson(`initial_state[${index}]: expected "content" to be an object`);
    }
    return { type: event.type, stateKey, content: content as JsonObject };
  });
}

function defaultPowerLevels(creator: string, invitees: string[], preset: Preset): JsonObject {
  const users: JsonObject = { [creator]: 100 };
  if (preset.inviteesAreAdmins) for (const invitee of invitees) users[invitee] = 100;
  return {
    users,
    users_default: 0,
    events: {
      'm.room.name': 50,
      'm.room.power_levels': 100,
      'm.room.history_visibility': 100,
      'm.room.canonical_alias': 50,
      'm.room.avatar': 50,
      'm.room.tombstone': 100,
      'm.room.server_acl': 100,
      'm.room.encryption': 100,
    },
    events_default: 0,
    state_default: 50,
    ban: 50,
    kick: 50,
    redact: 50,
    invite: 50,
    historical: 100,
    ...preset.powerLevelOverride,
  };
}

/** `POST /createRoom`, sending the events in Synapse's order. */
export function createRoomRoutes(s: Services): Route[] {
  const createRoom = (ctx: RequestContext) => {
    const creator = authenticate(s, ctx).userId;
    const body = jsonBody(ctx);

    const version = optionalString(body, 'room_version') ?? DEFAULT_ROOM_VERSION;
    if (!SUPPORTED_ROOM_VERSIONS.has(version)) {
      throw new MatrixError(
        400,
        'M_UNSUPPORTED_ROOM_VERSION',
        `Your homeserver does not support this room version (${version})`,
      );
    }
    const visibility = optionalString(body, 'visibility') ?? 'private';
    const presetName =
      optionalString(body, 'preset') ?? (visibility === 'public' ? 'public_chat' : 'private_chat');
    const preset = PRESETS[presetName];
    if (!preset) throw badJson(`'${presetName}' is not a valid preset`);

    const invitees = parseInvites(body.invite);
    const initialState = parseInitialState(body.initial_state);
    const aliasName = optionalString(body, 'room_alias_name');
    const alias = aliasName === undefined ? undefined : `#${aliasName}:${s.options.serverName}`;
    if (alias && s.rooms.aliases.has(alias)) {
      throw new MatrixError(400, 'M_ROOM_IN_USE', 'Room alias already taken');
    }
    const name = optionalString(body, 'name');
    const topic = optionalString(body, 'topic');
    const creationContent = (body.creation_content ?? {}) as JsonObject;
    const plOverride = (body.power_level_content_override ?? {}) as JsonObject;

    const room = s.rooms.create(version);
    const send = (type: string, content: JsonObject, stateKey = '') =>
      s.rooms.append(room, { type, sender: creator, stateKey, content });
    const fromInitial = (type: string): JsonObject | undefined => {
      const index = initialState.findIndex((e) => e.type === type && e.stateKey === '');
      if (index < 0) return undefined;
      return initialState.splice(index, 1)[0]?.content;
    };

    const createContent: JsonObject = { ...creationContent, room_version: version };
    if (version !== '11') createContent.creator = creator;
    send('m.room.create', createContent);
    s.memberships.joinAsCreator(room, creator);
    const powerLevels = fromInitial('m.room.power_levels') ?? {
      ...defaultPowerLevels(creator, invitees, preset),
      ...plOverride,
    };
    send('m.room.power_levels', powerLevels);
    if (alias) {
      s.rooms.aliases.set(alias, room.roomId);
      send('m.room.canonical_alias', { alias });
    }
    send('m.room.join_rules', fromInitial('m.room.join_rules') ?? { join_rule: preset.joinRule });
    send(
      'm.room.history_visibility',
      fromInitial('m.room.history_visibility') ?? { history_visibility: 'shared' },
    );
    const guestAccess = fromInitial('m.room.guest_access');
    if (guestAccess) send('m.room.guest_access', guestAccess);
    else if (preset.guestCanJoin) send('m.room.guest_access', { guest_access: 'can_join' });
    for (const event of initialState) send(event.type, event.content, event.stateKey);
    if (name !== undefined) send('m.room.name', { name });
    if (topic !== undefined) send('m.room.topic', { topic });

    const extra: JsonObject = body.is_direct === true ? { is_direct: true } : {};
    for (const invitee of invitees) s.memberships.invite(room, creator, invitee, extra);

    return ok(alias ? { room_id: room.roomId, room_alias: alias } : { room_id: room.roomId });
  };

  return [route('POST', '/_matrix/client/{v3|r0}/createRoom', createRoom)];
}
