import { newAccessToken, newDeviceId } from './ids.js';

/** How a user came to exist: registered by a test, by the appservice, or as its bot. */
export type UserKind = 'human' | 'appservice' | 'bot';

export interface UserRecord {
  userId: string;
  kind: UserKind;
  /** Synapse sets the display name to the localpart at registration. */
  displayname?: string;
  avatarUrl?: string;
}

export interface DeviceToken {
  userId: string;
  deviceId: string;
}

/** Registered users, their profiles and their access tokens. */
export class UserDirectory {
  private readonly users = new Map<string, UserRecord>();
  private readonly tokens = new Map<string, DeviceToken>();

  add(userId: string, kind: UserKind, displayname: string): UserRecord {
    if (this.users.has(userId)) throw new Error(`user ${userId} is already registered`);
    const record: UserRecord = { userId, kind, displayname };
    this.users.set(userId, record);
    return record;
  }

  get(userId: string): UserRecord | undefined {
    return this.users.get(userId);
  }

  has(userId: string): boolean {
    return this.users.has(userId);
  }

  /** Logs the user in on a new device. */
  issueToken(userId: string): { accessToken: string; deviceId: string } {
    const accessToken = newAccessToken();
    const deviceId = newDeviceId();
    this.tokens.set(accessToken, { userId, deviceId });
    return { accessToken, deviceId };
  }

  byToken(token: string): DeviceToken | undefined {
    return this.tokens.get(token);
  }
}
