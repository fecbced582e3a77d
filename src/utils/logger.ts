import { pino, type Logger } from 'pino';
import { SECRET_NAME } from './redact.js';

export type { Logger } from 'pino';

/**
 * The default structured logger: JSON lines on stderr, level from `VP_DAEMON_LOG_LEVEL` (default `warn`).
 * Values of environment variables with secret-looking names are censored.
 */
export function createLogger(level = process.env['VP_DAEMON_LOG_LEVEL'] ?? 'warn'): Logger {
  return pino(
    {
      name: 'vp-daemon',
      level,
      redact: { paths: ['env.*', '*.env.*', 'environmentVariables.*', '*.environmentVariables.*'], censor: censorSecrets },
    },
    pino.destination(2),
  );
}

// pino calls the censor for every redact path; only values whose key looks secret are hidden.
function censorSecrets(value: unknown, path: string[]): unknown {
  const key = path[path.length - 1] ?? '';
  return SECRET_NAME.test(key) ? '[redacted]' : value;
}
