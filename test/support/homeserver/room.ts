import type { JsonObject, StoredEvent } from './events.js';

export type Membership = 'invite' | 'join' | 'leave' | 'ban' | 'knock';

/** The power-level actions that are not event types. */
export type PowerAction = 'invite' | 'kick' | 'ban' | 'redact';

function stateKeyOf(type: string, stateKey: string): string {
  return `${type}\u0000${stateKey}`;
}

function levelValue(value: unknown, fallback: number): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return fallback;
}

/** One room: its timeline in order, and its current state derived from that timeline. */
export class Room {
  readonly events: StoredEvent[] = [];
  private readonly state = new Map<string, StoredEvent>();

  constructor(
    readonly roomId: string,
    readonly version: string,
  ) {}

  append(event: StoredEvent): void {
    this.events.push(event);
    if (event.state_key !== undefined) {
      this.state.set(stateKeyOf(event.type, event.state_key), event);
    }
  }

  stateEvent(type: string, stateKey = ''): StoredEvent | undefined {
    return this.state.get(stateKeyOf(type, stateKey));
  }

  stateContent(type: string, stateKey = ''): JsonObject | undefined {
    return this.stateEvent(type, stateKey)?.content;
  }

  currentState(): StoredEvent[] {
    return [...this.state.values()];
  }

  /** The state as it was just after the event at `index` in the timeline. */
  stateAfter(index: number): StoredEvent[] {
    const state = new Map<string, StoredEvent>();
    for (const event of this.events.slice(0, index + 1)) {
      if (event.state_key !== undefined) state.set(stateKeyOf(event.type, event.state_key), event);
    }
    return [...state.values()];
  }

  membershipOf(userId: string): Membership | undefined {
    return this.stateContent('m.room.member', userId)?.membership as Membership | undefined;
  }

  /** The user's membership just before the event at `index` took effect. */
  membershipBefore(userId: string, index: number): Membership | undefined {
    let membership: Membership | undefined;
    for (const event of this.events.slice(0, index)) {
      if (event.type === 'm.room.member' && event.state_key === userId) {
        membership = event.content.membership as Membership;
      }
    }
    return membership;
  }

  indexOf(eventId: string): number {
    return this.events.findIndex((event) => event.event_id === eventId);
  }

  membersWith(membership: Membership): string[] {
    return this.currentState()
      .filter((e) => e.type === 'm.room.member' && e.content.membership === membership)
      .map((e) => e.state_key ?? '');
  }

  joinedMembers(): string[] {
    return this.membersWith('join');
  }

  joinRule(): string {
    const rule = this.stateContent('m.room.join_rules')?.join_rule;
    return typeof rule === 'string' ? rule : 'invite';
  }

  historyVisibility(): string {
    const visibility = this.stateContent('m.room.history_visibility')?.history_visibility;
    return typeof visibility === 'string' ? visibility : 'shared';
  }

  private powerLevels(): JsonObject | undefined {
    return this.stateContent('m.room.power_levels');
  }

  powerLevelOf(userId: string): number {
    const levels = this.powerLevels();
    if (!levels) {
      // Without a power-levels event the creator has 100 and everyone else 0.
      return this.stateEvent('m.room.create')?.sender === userId ? 100 : 0;
    }
    const users = (levels.users ?? {}) as JsonObject;
    return levelValue(users[userId], levelValue(levels.users_default, 0));
  }

  /** The level needed to send an event of this type. */
  levelForEvent(type: string, isState: boolean): number {
    const levels = this.powerLevels();
    if (!levels) return 0;
    const events = (levels.events ?? {}) as JsonObject;
    const fallback = isState
      ? levelValue(levels.state_default, 50)
      : levelValue(levels.events_default, 0);
    return levelValue(events[type], fallback);
  }

  levelForAction(action: PowerAction): number {
    const levels = this.powerLevels();
    if (!levels) return action === 'invite' ? 0 : 50;
    return levelValue(levels[action], action === 'invite' ? 0 : 50);
  }
}
