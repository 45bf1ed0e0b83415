import { readFileSync } from 'node:fs';

import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

import { configSchema, type Config } from './schema.js';
import { ENV_OVERRIDES, parseEnvValue } from './env.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface ConfigSource {
  /** Path of the YAML file, or undefined to use defaults and the environment only. */
  file?: string | undefined;
  /** The environment to read overrides from; pass `process.env` at start-up. */
  env: Record<string, string | undefined>;
}

/**
 * Reads the YAML file, applies environment overrides and validates the result. Throws a
 * ConfigError that lists every problem with its key and what was expected.
 */
export function loadConfig(source: ConfigSource): Config {
  const raw = source.file ? readYaml(source.file) : {};
  const problems: string[] = [];
  for (const override of ENV_OVERRIDES) {
    const value = source.env[override.variable];
    if (value === undefined || value === '') continue;
    try {
      setPath(raw, override.key, parseEnvValue(override, value));
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) problems.push(...describeIssues(result.error));
  if (problems.length > 0) {
    const where = source.file ? ` (${source.file} and the environment)` : '';
    throw new ConfigError(`invalid configuration${where}:\n  ${problems.join('\n  ')}`);
  }
  return checkConsistency(result.data!);
}

function readYaml(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${file}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`config file ${file} is not valid YAML: ${(error as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${file}: expected a mapping of keys at the top level`);
  }
  // A section whose keys are all commented out reads as null: treat it as empty.
  const sections = Object.entries(parsed as Record<string, unknown>).filter(([, v]) => v !== null);
  return Object.fromEntries(sections);
}

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

function describeIssues(error: z.ZodError): string[] {
  return error.issues.flatMap((issue) => {
    const at = issue.path.join('.') || '(top level)';
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const known = knownKeys(issue.path);
        const guess = closest(key, known);
        const hint = guess ? `; did you mean "${guess}"?` : `; known keys: ${known.join(', ')}`;
        return `${issue.path.length ? at + '.' : ''}${key}: unknown key${hint}`;
      });
    }
    if (issue.path.length === 1 && issue.path[0] === 'homeserver') {
      return [
        'homeserver: missing; set homeserver.url and homeserver.domain in the config file ' +
          '(see config/config.sample.yaml) or HOMESERVER_URL and HOMESERVER_DOMAIN',
      ];
    }
    return [`${at}: ${issue.message}`];
  });
}

/** The keys the schema allows at a path, for suggesting a fix to a misspelled one. */
function knownKeys(path: PropertyKey[]): string[] {
  let node: z.ZodType = configSchema;
  for (const key of path) {
    const shape = objectShape(node);
    const child = shape?.[String(key)];
    if (!child) return [];
    node = child;
  }
  return Object.keys(objectShape(node) ?? {});
}

function objectShape(node: z.ZodType): Record<string, z.ZodType> | undefined {
  let current: unknown = node;
  // Unwrap defaults and optionals until the object itself is reached.
  for (let depth = 0; depth < 5; depth++) {
    if (current instanceof z.ZodObject) return current.shape as Record<string, z.ZodType>;
    const inner = (current as { def?: { innerType?: unknown } }).def?.innerType;
    if (!inner) return undefined;
    current = inner;
  }
  return undefined;
}

function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** Rules that span several keys. */
function checkConsistency(config: Config): Config {
  const { summarizer } = config;
  if (resolveBackend(config) === 'openai') {
    const missing = [];
    if (!summarizer.openai.base_url) missing.push('summarizer.openai.base_url');
    if (!summarizer.openai.model) missing.push('summarizer.openai.model');
    if (missing.length > 0) {
      throw new ConfigError(
        `invalid configuration:\n  ${missing.join(', ')}: required when the openai backend is used`,
      );
    }
  }
  return config;
}

/** Which summarizer runs: "auto" means openai once a key or server is configured. */
export function resolveBackend(config: Config): 'builtin' | 'openai' {
  const { backend, openai } = config.summarizer;
  if (backend !== 'auto') return backend;
  return openai.api_key || openai.base_url ? 'openai' : 'builtin';
}
