import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { startBridge } from './app.js';
import { loadConfig } from './config/load.js';
import { describe } from './errors.js';
import { logger } from './log.js';

const log = logger('Main');

/**
 * The bridge's entry point: `node dist/src/main.js --config config/config.yaml`. It only reads
 * the command line, loads the configuration, starts the bridge and wires the signals.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: {
        type: 'string',
        short: 'c',
        default: process.env.CONFIG_PATH ?? 'config/config.yaml',
      },
    },
  });
  if (existsSync('.env')) process.loadEnvFile('.env');
  const file = existsSync(values.config) ? values.config : undefined;
  if (!file)
    log.warn('no config file; using defaults and the environment', { path: values.config });
  const config = loadConfig({ file, env: process.env });
  const bridge = await startBridge(config);

  const graceMs = config.jobs.shutdown_grace_seconds * 1000;
  const shutdown = (signal: string) => {
    log.info('received signal', { signal });
    bridge.stop(graceMs).then(
      () => process.exit(0),
      (error: unknown) => {
        log.error('shutdown failed', { cause: describe(error) });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

process.on('unhandledRejection', (reason) => {
  log.error('unhandled rejection', { cause: describe(reason) });
});

main().catch((error: unknown) => {
  log.error('cannot start', { cause: describe(error) });
  process.exit(1);
});
