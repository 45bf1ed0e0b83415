import { existsSync } from 'node:fs';

/**
 * The process environment, after reading `.env` from the working directory when there is one.
 * Variables already set win over the file. Every command of the bridge calls this once.
 */
export function loadEnvironment(): Record<string, string | undefined> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  return process.env;
}
