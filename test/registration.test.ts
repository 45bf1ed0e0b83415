import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync, statSync } from 'node:fs';

import { parse as parseYaml } from 'yaml';

import {
  createRegistration,
  readRegistration,
  writeRegistration,
} from '../src/matrix/registration.js';
import { tempDir } from './support/tmp.js';

describe('registration', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.cleanup());

  const options = {
    id: 'pdf-summarizer',
    url: 'http://127.0.0.1:9000',
    localpart: 'summarizer',
    domain: 'example.org',
  };

  it('writes what Synapse requires, with fresh random tokens and a private file mode', () => {
    const file = path.join(tmp.dir, 'registration.yaml');
    writeRegistration(createRegistration(options), file);
    const written = parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown>;

    assert.equal(written.id, 'pdf-summarizer');
    assert.equal(written.url, 'http://127.0.0.1:9000');
    assert.equal(written.sender_localpart, 'summarizer');
    assert.equal(written.rate_limited, false);
    assert.match(String(written.as_token), /^[0-9a-f]{64}$/);
    assert.match(String(written.hs_token), /^[0-9a-f]{64}$/);
    assert.notEqual(written.as_token, written.hs_token);
    assert.deepEqual(written.namespaces, {
      users: [{ regex: '^@summarizer:example\\.org$', exclusive: true }],
    });
    assert.equal(statSync(file).mode & 0o077, 0, 'not readable by others');
  });

  it('makes new tokens every time', () => {
    const a = createRegistration(options);
    const b = createRegistration(options);
    assert.notEqual(a.getAppServiceToken(), b.getAppServiceToken());
    assert.notEqual(a.getHomeserverToken(), b.getHomeserverToken());
  });

  it('reads back what it wrote and matches only the bot as its own user', () => {
    const file = path.join(tmp.dir, 'registration.yaml');
    writeRegistration(createRegistration(options), file);
    const registration = readRegistration(file);
    assert.ok(registration.isUserMatch('@summarizer:example.org', true));
    assert.ok(!registration.isUserMatch('@summarizerX:example.org', false));
    assert.ok(!registration.isUserMatch('@summarizer:example.org.evil.test', false));
    assert.ok(!registration.isUserMatch('@x@summarizer:example.org', false));
    assert.ok(!registration.isUserMatch('@alice:example.org', false));
  });

  it('refuses a registration without namespaces, which Synapse would refuse too', () => {
    const file = path.join(tmp.dir, 'registration.yaml');
    const { namespaces: _dropped, ...rest } = createRegistration(options).getOutput();
    writeRegistration({ getOutput: () => rest } as never, file);
    assert.throws(() => readRegistration(file), /no namespaces/);
  });
});
