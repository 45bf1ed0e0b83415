import type { JsonObject, StoredEvent } from './events.js';

/** The content keys that survive a redaction in room versions 1–10, by event type. */
const KEPT_CONTENT_KEYS: Record<string, string[]> = {
  'm.room.member': ['membership', 'join_authorised_via_users_server'],
  'm.room.create': ['creator'],
  'm.room.join_rules': ['join_rule', 'allow'],
  'm.room.power_levels': [
    'ban',
    'events',
    'events_default',
    'kick',
    'redact',
    'state_default',
    'users',
    'users_default',
  ],
  'm.room.history_visibility': ['history_visibility'],
};

/** Strips the event's content to what the redaction algorithm keeps, and records why. */
export function applyRedaction(target: StoredEvent, redaction: StoredEvent): void {
  const kept = KEPT_CONTENT_KEYS[target.type] ?? [];
  const content: JsonObject = {};
  for (const key of kept) {
    if (key in target.content) content[key] = target.content[key];
  }
  target.content = content;
  target.unsigned = { redacted_because: redaction };
}
