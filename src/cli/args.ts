import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * Parses the command line; a wrong option prints what went wrong and the usage, and exits with
 * status 2 instead of a stack trace.
 */
export function commandLine<T extends ParseArgsConfig>(config: T, usage: string) {
  try {
    return parseArgs(config);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\nusage: ${usage}\n`);
    process.exit(2);
  }
}

/**
 * A path given on the command line, resolved against the folder the user ran npm from (npm runs
 * scripts from the package root and passes the original folder as INIT_CWD).
 */
export function userPath(given: string): string {
  return path.resolve(process.env.INIT_CWD ?? process.cwd(), given);
}
