import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { stringify as stringifyYaml } from 'yaml';

/** The bridge's real entry point, as production starts it. */
export const MAIN_SCRIPT = fileURLToPath(new URL('../../src/main.js', import.meta.url));

export interface BridgeProcessOptions {
  /** Folder for the config, database and downloads of this bridge. */
  dir: string;
  homeserverUrl: string;
  domain: string;
  registrationPath: string;
  /** Extra or replaced config keys, merged over the test defaults. */
  config?: Record<string, Record<string, unknown>>;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Extra command-line arguments for the entry point. */
  args?: string[];
  /** Copy each log line to this process's stderr as well. */
  echo?: boolean;
}

/**
 * The bridge running as a child process from its real entry point, with a generated config.
 * Its log lines are collected so tests can read them (and check them for secrets).
 */
export class BridgeProcess {
  readonly logs: string[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  port = 0;

  private constructor(child: ChildProcess) {
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(options: BridgeProcessOptions): Promise<BridgeProcess> {
    const configPath = path.join(options.dir, 'config.yaml');
    writeFileSync(configPath, stringifyYaml(bridgeConfig(options)));
    const args = [MAIN_SCRIPT, '--config', configPath, ...(options.args ?? [])];
    const child = spawn(process.execPath, args, {
      cwd: options.dir,
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const bridge = new BridgeProcess(child);
    for (const stream of [child.stdout!, child.stderr!]) {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) {
          bridge.logs.push(line);
          if (options.echo) process.stderr.write(`  [bridge] ${line}\n`);
        }
      });
    }
    bridge.port = await bridge.waitForPort();
    return bridge;
  }

  /** Resolves when a log line matches, or rejects after `timeoutMs` with the recent lines. */
  async waitForLog(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let seen = 0;
    for (;;) {
      for (; seen < this.logs.length; seen++) {
        if (pattern.test(this.logs[seen]!)) return this.logs[seen]!;
      }
      if (this.child.exitCode !== null) {
        throw new Error(
          `bridge exited (${this.child.exitCode}) before ${pattern}:\n${this.tail()}`,
        );
      }
      if (Date.now() > deadline) throw new Error(`no log line ${pattern} in time:\n${this.tail()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Sends SIGTERM and waits for a clean exit. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }

  /** Kills the process at once, as a crash would. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  tail(lines = 30): string {
    return this.logs.slice(-lines).join('\n');
  }

  private async waitForPort(): Promise<number> {
    const line = await this.waitForLog(/appservice listening/);
    const port = Number(/port=(\d+)/.exec(line)?.[1]);
    if (!port) throw new Error(`cannot read the port from: ${line}`);
    return port;
  }
}

function bridgeConfig(options: BridgeProcessOptions): Record<string, unknown> {
  const defaults: Record<string, Record<string, unknown>> = {
    homeserver: { url: options.homeserverUrl, domain: options.domain },
    appservice: { registration_path: options.registrationPath, port: 0 },
    jobs: {
      db_path: path.join(options.dir, 'jobs.sqlite'),
      download_dir: path.join(options.dir, 'downloads'),
      max_worker_threads: 3,
      retry_delay_seconds: 0.2,
      lease_seconds: 5,
      poll_seconds: 0.5,
    },
    summarizer: { backend: 'builtin' },
    logging: { level: 'debug' },
  };
  for (const [section, values] of Object.entries(options.config ?? {})) {
    defaults[section] = { ...defaults[section], ...values };
  }
  return defaults;
}
