/**
 * Environment variables that override single configuration keys. This table is the only place
 * they are named; `.env.example` lists the same variables (a test keeps the two in step).
 */
export type EnvValueType = 'string' | 'integer' | 'number' | 'boolean' | 'list';

export interface EnvOverride {
  variable: string;
  /** Dotted path of the key it sets, e.g. "jobs.max_worker_threads". */
  key: string;
  type: EnvValueType;
}

export const ENV_OVERRIDES: readonly EnvOverride[] = [
  { variable: 'HOMESERVER_URL', key: 'homeserver.url', type: 'string' },
  { variable: 'HOMESERVER_DOMAIN', key: 'homeserver.domain', type: 'string' },
  { variable: 'REGISTRATION_PATH', key: 'appservice.registration_path', type: 'string' },
  { variable: 'APPSERVICE_BIND_ADDRESS', key: 'appservice.bind_address', type: 'string' },
  { variable: 'APPSERVICE_PORT', key: 'appservice.port', type: 'integer' },
  { variable: 'BOT_DISPLAY_NAME', key: 'bot.display_name', type: 'string' },
  { variable: 'BOT_ALLOWED_INVITERS', key: 'bot.allowed_inviters', type: 'list' },
  { variable: 'JOB_DB_PATH', key: 'jobs.db_path', type: 'string' },
  { variable: 'DOWNLOAD_DIR', key: 'jobs.download_dir', type: 'string' },
  { variable: 'MAX_WORKER_THREADS', key: 'jobs.max_worker_threads', type: 'integer' },
  { variable: 'MAX_JOB_RETRIES', key: 'jobs.max_retries', type: 'integer' },
  { variable: 'RETRY_DELAY_SECONDS', key: 'jobs.retry_delay_seconds', type: 'number' },
  { variable: 'JOB_LEASE_SECONDS', key: 'jobs.lease_seconds', type: 'number' },
  { variable: 'COMPLETED_JOB_POLL_SECONDS', key: 'jobs.poll_seconds', type: 'number' },
  { variable: 'JOB_CLEANUP_HOURS', key: 'jobs.cleanup_hours', type: 'number' },
  { variable: 'SHUTDOWN_GRACE_SECONDS', key: 'jobs.shutdown_grace_seconds', type: 'number' },
  { variable: 'MAX_FILE_MB', key: 'limits.max_file_mb', type: 'number' },
  { variable: 'MAX_PAGES', key: 'limits.max_pages', type: 'integer' },
  { variable: 'MAX_QUEUED_PER_USER', key: 'limits.max_queued_per_user', type: 'integer' },
  { variable: 'MAX_QUEUED_PER_ROOM', key: 'limits.max_queued_per_room', type: 'integer' },
  {
    variable: 'MAX_UPLOADS_PER_USER_PER_HOUR',
    key: 'limits.max_uploads_per_user_per_hour',
    type: 'integer',
  },
  {
    variable: 'MAX_UPLOADS_PER_ROOM_PER_HOUR',
    key: 'limits.max_uploads_per_room_per_hour',
    type: 'integer',
  },
  { variable: 'JOB_TIMEOUT_SECONDS', key: 'limits.job_timeout_seconds', type: 'number' },
  { variable: 'EXTRACT_TIMEOUT_SECONDS', key: 'limits.extract_timeout_seconds', type: 'number' },
  { variable: 'WORKER_MEMORY_MB', key: 'limits.worker_memory_mb', type: 'integer' },
  { variable: 'SUMMARIZER_BACKEND', key: 'summarizer.backend', type: 'string' },
  {
    variable: 'SUMMARIZER_FALLBACK_TO_BUILTIN',
    key: 'summarizer.fallback_to_builtin',
    type: 'boolean',
  },
  { variable: 'SUMMARY_INSTRUCTIONS_FILE', key: 'summarizer.instructions_file', type: 'string' },
  { variable: 'SUMMARY_LANGUAGE', key: 'summarizer.language', type: 'string' },
  { variable: 'OPENAI_BASE_URL', key: 'summarizer.openai.base_url', type: 'string' },
  { variable: 'OPENAI_API_KEY', key: 'summarizer.openai.api_key', type: 'string' },
  { variable: 'OPENAI_MODEL', key: 'summarizer.openai.model', type: 'string' },
  { variable: 'OPENAI_CONTEXT_TOKENS', key: 'summarizer.openai.context_tokens', type: 'integer' },
  { variable: 'OPENAI_CONCURRENCY', key: 'summarizer.openai.concurrency', type: 'integer' },
  {
    variable: 'OPENAI_TIMEOUT_SECONDS',
    key: 'summarizer.openai.request_timeout_seconds',
    type: 'number',
  },
  { variable: 'LOG_LEVEL', key: 'logging.level', type: 'string' },
  { variable: 'LOG_FORMAT', key: 'logging.format', type: 'string' },
];

/** Converts a variable's text to the type its key expects, or explains why it cannot. */
export function parseEnvValue(override: EnvOverride, raw: string): unknown {
  const text = raw.trim();
  switch (override.type) {
    case 'string':
      return text;
    case 'list':
      return text === '' ? [] : text.split(',').map((item) => item.trim());
    case 'boolean':
      if (/^(true|1|yes)$/i.test(text)) return true;
      if (/^(false|0|no)$/i.test(text)) return false;
      throw new Error(`${override.variable}: expected true or false, got "${raw}"`);
    case 'integer':
    case 'number': {
      const value = Number(text);
      const expected = override.type === 'integer' ? 'a whole number' : 'a number';
      const ok = text !== '' && Number.isFinite(value);
      if (!ok || (override.type === 'integer' && !Number.isInteger(value))) {
        throw new Error(`${override.variable}: expected ${expected}, got "${raw}"`);
      }
      return value;
    }
  }
}
