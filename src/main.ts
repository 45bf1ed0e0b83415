import { existsSync } from 'node:fs';

import { startBridge } from './app.js';
import { commandLine } from './cli/args.js';
import { loadEnvironment } from './config/environment.js';
import { loadConfig } from './config/load.js';
import { describe } from './errors.js';
import { logger } from './log.js';

const log = logger('Main');

/**
 * The bridge's entry point: `node dist/src/main.js --config config/config.yaml`. It only reads
 * the command line, loads the configuration, starts the bridge and wires the signals.
 */
async function main(): Promise<void> {
  // A signal during start-up is kept and acted on once the bridge is up and can drain.
  let received: string | undefined;
  let onSignal: (signal: string) => void = (signal) => {
    received = signal;
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));

  const { values } = commandLine(
    { options: { config: { type: 'string', short: 'c', default: 'config/config.yaml' } } },
    'node dist/src/main.js [--config config/config.yaml]',
  );
  const configPath = values.config;
  const file = existsSync(configPath) ? configPath : undefined;
  if (!file) {
    log.warn('no config file; using defaults and the environment', { path: configPath });
  }
  const config = loadConfig({ file, env: loadEnvironment() });
  const bridge = await startBridge(config);

  const graceMs = config.jobs.shutdown_grace_seconds * 1000;
  onSignal = (signal: string) => {
    log.info('received signal', { signal });
    bridge.stop(graceMs).then(
      () => process.exit(0),
      (error: unknown) => {
        log.error('shutdown failed', { cause: describe(error) });
        process.exit(1);
      },
    );
  };
  if (received) onSignal(received);
}

process.on('unhandledRejection', (reason) => {
  log.error('unhandled rejection', { cause: describe(reason) });
});

main().catch((error: unknown) => {
  log.error('cannot start', { cause: describe(error) });
  process.exit(1);
});
