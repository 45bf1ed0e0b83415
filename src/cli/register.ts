import { existsSync } from 'node:fs';

import { loadEnvironment } from '../config/environment.js';
import { loadConfig } from '../config/load.js';
import { createRegistration, writeRegistration } from '../matrix/registration.js';
import { commandLine } from './args.js';

/**
 * Writes the registration file that the homeserver admin gives to Synapse:
 * `npm run register -- --url http://bridge-host:9000 [--config config/config.yaml]`.
 */
const { values } = commandLine(
  {
    options: {
      config: { type: 'string', short: 'c', default: 'config/config.yaml' },
      url: { type: 'string', short: 'u' },
      localpart: { type: 'string', short: 'l', default: 'summarizer' },
      id: { type: 'string', default: 'pdf-summarizer' },
      output: { type: 'string', short: 'f' },
      force: { type: 'boolean', default: false },
    },
  },
  'npm run register -- --url URL [--config FILE] [--localpart NAME] [--output FILE] [--force]',
);

try {
  const config = loadConfig({
    file: existsSync(values.config) ? values.config : undefined,
    env: loadEnvironment(),
  });
  const url = values.url ?? `http://${config.appservice.bind_address}:${config.appservice.port}`;
  const output = values.output ?? config.appservice.registration_path;
  if (existsSync(output) && !values.force) {
    throw new Error(`${output} exists; pass --force to replace it (its tokens change)`);
  }
  const registration = createRegistration({
    id: values.id,
    url,
    localpart: values.localpart,
    domain: config.homeserver.domain,
  });
  writeRegistration(registration, output);
  console.log(`Wrote ${output} for @${values.localpart}:${config.homeserver.domain} at ${url}.`);
  console.log('Add its path to app_service_config_files in homeserver.yaml and restart Synapse.');
} catch (error) {
  console.error(`register: ${(error as Error).message}`);
  process.exit(1);
}
