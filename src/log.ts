/**
 * A small levelled logger with a label per module, writing one line per record to stderr.
 *
 * Secrets registered with {@link redact} are replaced wherever they appear in a line, so a token
 * that slips into an error message still never reaches the log.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Record<string, string | number | boolean | null | undefined>;

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

interface Settings {
  level: LogLevel;
  format: 'text' | 'json';
  write: (line: string) => void;
}

const settings: Settings = {
  level: 'info',
  format: 'text',
  write: (line) => process.stderr.write(line + '\n'),
};

const secrets = new Set<string>();

export function configureLogging(options: Partial<Settings>): void {
  Object.assign(settings, options);
}

/** Registers a value that must never be logged. Values shorter than 6 characters are ignored. */
export function redact(secret: string | undefined): void {
  if (secret && secret.length >= 6) secrets.add(secret);
}

function scrub(line: string): string {
  let out = line;
  for (const secret of secrets) out = out.split(secret).join('[redacted]');
  return out;
}

function formatValue(value: unknown): string {
  const text = String(value);
  return /[\s"=]/.test(text) ? JSON.stringify(text) : text;
}

export class Logger {
  constructor(readonly label: string) {}

  debug(message: string, fields?: LogFields): void {
    this.log('debug', message, fields);
  }

  info(message: string, fields?: LogFields): void {
    this.log('info', message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.log('warn', message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.log('error', message, fields);
  }

  enabled(level: LogLevel): boolean {
    return ORDER[level] >= ORDER[settings.level];
  }

  private log(level: LogLevel, message: string, fields: LogFields = {}): void {
    if (!this.enabled(level)) return;
    const time = new Date().toISOString();
    let line: string;
    if (settings.format === 'json') {
      line = JSON.stringify({ time, level, module: this.label, msg: message, ...fields });
    } else {
      const extra = Object.entries(fields)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => `${key}=${formatValue(value)}`)
        .join(' ');
      const head = `${time} ${level.toUpperCase().padEnd(5)} [${this.label}] ${message}`;
      line = extra ? `${head} ${extra}` : head;
    }
    settings.write(scrub(line));
  }
}

export function logger(label: string): Logger {
  return new Logger(label);
}
