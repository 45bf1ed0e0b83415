import { spawn, spawnSync } from 'node:child_process';

import { now } from './stats.js';
import { visibleChars } from './text-count.js';

/** Whether pdftotext can be run, and if not, why. */
export type Availability = { ok: true; version: string } | { ok: false; reason: string };

function installed(): string | undefined {
  const probe = spawnSync('pdftotext', ['-v'], { encoding: 'utf8' });
  if (probe.error) return undefined;
  return /pdftotext version (\S+)/.exec(`${probe.stderr}${probe.stdout}`)?.[1] ?? 'unknown';
}

/**
 * Finds pdftotext; when it is missing and this process runs as root, installs Debian's
 * poppler-utils with apt-get (refreshing the package lists only if the first try fails).
 */
export function ensurePdftotext(log: (line: string) => void): Availability {
  const found = installed();
  if (found) return { ok: true, version: found };
  if (process.getuid?.() !== 0) {
    return { ok: false, reason: 'pdftotext is not installed (apt-get install poppler-utils)' };
  }
  log('pdftotext is missing; installing poppler-utils with apt-get…');
  const apt = (args: string[]) =>
    spawnSync('apt-get', args, {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: 300_000,
    }).status === 0;
  if (!apt(['install', '-y', 'poppler-utils'])) {
    apt(['update']);
    apt(['install', '-y', 'poppler-utils']);
  }
  const after = installed();
  if (after) return { ok: true, version: after };
  return { ok: false, reason: 'pdftotext is not installed and apt-get could not install it' };
}

export interface NativeRun {
  ms: number;
  chars: number;
  /** Exit status; anything but 0 means pdftotext could not read the file. */
  status: number | null;
}

/** Runs `pdftotext -q file -` once; the time covers the process from spawn to exit. */
export function runPdftotext(file: string, timeoutMs = 60_000): Promise<NativeRun> {
  return new Promise((resolve, reject) => {
    const started = now();
    const child = spawn('pdftotext', ['-q', '-enc', 'UTF-8', file, '-'], {
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (status) => {
      const ms = now() - started;
      resolve({ ms, status, chars: visibleChars(Buffer.concat(chunks).toString('utf8')) });
    });
  });
}
