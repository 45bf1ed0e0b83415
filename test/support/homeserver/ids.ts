import { randomBytes, randomInt } from 'node:crypto';

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

function randomLetters(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += LETTERS[randomInt(LETTERS.length)];
  return out;
}

/** An event id in the format of room versions 4 and later: `$` and 43 base64url characters. */
export function newEventId(): string {
  return '$' + randomBytes(32).toString('base64url');
}

/** A room id shaped like Synapse's: 18 random letters and the server name. */
export function newRoomId(serverName: string): string {
  return `!${randomLetters(18)}:${serverName}`;
}

/** A media id shaped like Synapse's: 24 random letters. */
export function newMediaId(): string {
  return randomLetters(24);
}

export function newAccessToken(): string {
  return 'syt_' + randomBytes(24).toString('base64url');
}

export function newDeviceId(): string {
  return randomLetters(10).toUpperCase();
}

export interface UserIdParts {
  localpart: string;
  serverName: string;
}

/** Splits `@localpart:server.name`; undefined when the string is not shaped like a user id. */
export function parseUserId(userId: string): UserIdParts | undefined {
  const colon = userId.indexOf(':');
  if (!userId.startsWith('@') || colon < 2 || colon === userId.length - 1) return undefined;
  return { localpart: userId.slice(1, colon), serverName: userId.slice(colon + 1) };
}

/** The longest user id the spec allows, in bytes. */
export const MAX_USER_ID_BYTES = 255;

/**
 * Why a localpart may not be registered, or undefined when it may. New localparts are limited
 * to `a-z 0-9 . _ = - / +` by the spec; Synapse refuses upper case with the same error.
 */
export function localpartProblem(localpart: string, serverName: string): string | undefined {
  if (localpart.length === 0) return 'expected a non-empty localpart';
  if (!/^[a-z0-9._=\-/+]+$/.test(localpart)) {
    return `User ID can only contain characters a-z, 0-9, or '=_-./+'; got "${localpart}"`;
  }
  const bytes = Buffer.byteLength(`@${localpart}:${serverName}`);
  if (bytes > MAX_USER_ID_BYTES) {
    return `User ID is ${bytes} bytes long; the limit is ${MAX_USER_ID_BYTES}`;
  }
  return undefined;
}
