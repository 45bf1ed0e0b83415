/**
 * The appservice registration as the homeserver holds it: validated the way Synapse validates
 * registration files at start-up, with its namespaces compiled for matching.
 */

export interface Namespace {
  regex: string;
  exclusive: boolean;
}

/** The parsed registration.yaml, as `AppServiceRegistration.getOutput()` writes it. */
export interface AppserviceRegistration {
  id: string;
  as_token: string;
  hs_token: string;
  url?: string | null;
  sender_localpart: string;
  /** Optional in the type, as the bridge library's output has it; Synapse refuses it missing. */
  namespaces?: { users?: Namespace[]; aliases?: Namespace[]; rooms?: Namespace[] };
  rate_limited?: boolean;
}

interface CompiledNamespace {
  regex: RegExp;
  exclusive: boolean;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `"${value}"` : typeof value;
}

function requireString(record: Record<string, unknown>, key: string): string {
  const value = record[key];
  if (typeof value !== 'string' || value.length === 0) {
    throw new Error(
      `registration: expected "${key}" to be a non-empty string, got ${describe(value)}`,
    );
  }
  return value;
}

function compileNamespaces(value: unknown, kind: string): CompiledNamespace[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new Error(
      `registration: expected namespaces.${kind} to be a list, got ${describe(value)}`,
    );
  }
  return value.map((entry: unknown, index) => {
    const where = `namespaces.${kind}[${index}]`;
    const record = (entry ?? {}) as Record<string, unknown>;
    if (typeof record.regex !== 'string') {
      throw new Error(
        `registration: expected ${where}.regex to be a string, got ${describe(record.regex)}`,
      );
    }
    if (typeof record.exclusive !== 'boolean') {
      throw new Error(
        `registration: expected ${where}.exclusive to be a boolean, ` +
          `got ${describe(record.exclusive)}`,
      );
    }
    // Synapse uses Python's re.match: anchored at the start, not at the end.
    return { regex: new RegExp(`^(?:${record.regex})`), exclusive: record.exclusive };
  });
}

export class Appservice {
  readonly id: string;
  readonly asToken: string;
  readonly hsToken: string;
  readonly senderLocalpart: string;
  /** `@{sender_localpart}:{serverName}`: registered implicitly, as Synapse does. */
  readonly botUserId: string;
  private readonly users: CompiledNamespace[];
  private readonly rooms: CompiledNamespace[];
  private readonly aliases: CompiledNamespace[];

  /** Throws, naming the field, where Synapse would refuse to start with this registration. */
  constructor(
    readonly registration: AppserviceRegistration,
    serverName: string,
  ) {
    const record = registration as unknown as Record<string, unknown>;
    this.id = requireString(record, 'id');
    this.asToken = requireString(record, 'as_token');
    this.hsToken = requireString(record, 'hs_token');
    this.senderLocalpart = requireString(record, 'sender_localpart');
    if (record.url !== undefined && record.url !== null && typeof record.url !== 'string') {
      throw new Error(
        `registration: expected "url" to be a string or null, got ${describe(record.url)}`,
      );
    }
    const namespaces = record.namespaces;
    if (namespaces === null || typeof namespaces !== 'object' || Array.isArray(namespaces)) {
      throw new Error(
        `registration: expected a "namespaces" object (Synapse refuses to start without one), ` +
          `got ${describe(namespaces)}`,
      );
    }
    const ns = namespaces as Record<string, unknown>;
    this.users = compileNamespaces(ns.users, 'users');
    this.rooms = compileNamespaces(ns.rooms, 'rooms');
    this.aliases = compileNamespaces(ns.aliases, 'aliases');
    this.botUserId = `@${this.senderLocalpart}:${serverName}`;
  }

  /** The bot, or a user in the user namespaces (Synapse's `is_interested_in_user`). */
  isInterestedInUser(userId: string): boolean {
    return userId === this.botUserId || this.users.some((ns) => ns.regex.test(userId));
  }

  /** Whether the user lies in an exclusive user namespace of this appservice. */
  isExclusiveUser(userId: string): boolean {
    return this.users.some((ns) => ns.exclusive && ns.regex.test(userId));
  }

  isInterestedInRoomId(roomId: string): boolean {
    return this.rooms.some((ns) => ns.regex.test(roomId));
  }

  isInterestedInAlias(alias: string): boolean {
    return this.aliases.some((ns) => ns.regex.test(alias));
  }
}
