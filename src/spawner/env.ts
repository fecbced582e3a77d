import { SECRET_NAME } from '../utils/redact.js';

/** The environment variable every process of a session inherits; it marks what the session started. */
export const SESSION_MARKER_VAR = 'VP_DAEMON_SESSION';

/** The CLI's switch for re-running an interrupted turn on `--resume`; never set in a session. */
export const RESUME_INTERRUPTED_TURN_VAR = 'CLAUDE_CODE_RESUME_INTERRUPTED_TURN';

/**
 * Variables taken from the daemon's environment by default (exact names, or prefixes ending in `*`).
 * Everything else must be named in the spawner's `env` or the session's `environmentVariables`.
 */
export const DEFAULT_INHERITED_ENV: readonly string[] = [
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LANGUAGE', 'LC_*', 'TZ', 'TMPDIR', 'TERM',
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy',
  'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR',
  'ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'ANTHROPIC_BASE_URL', 'ANTHROPIC_MODEL', 'ANTHROPIC_SMALL_FAST_MODEL',
  'ANTHROPIC_DEFAULT_*', 'CLAUDE_CODE_OAUTH_TOKEN', 'CLAUDE_CONFIG_DIR', 'CLAUDE_CODE_USE_BEDROCK', 'CLAUDE_CODE_USE_VERTEX',
  'AWS_*', 'CLOUD_ML_REGION', 'GOOGLE_APPLICATION_CREDENTIALS',
];

const matches = (name: string, patterns: readonly string[]): boolean =>
  patterns.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : name === p));

/** Builds a session's environment: the allow-listed part of `base`, then the spawner's and the session's extras, then the marker. */
export function buildSessionEnv(input: {
  base: Readonly<Record<string, string | undefined>>;
  inherit: readonly string[];
  spawnerEnv?: Readonly<Record<string, string>>;
  sessionEnv?: Readonly<Record<string, string>>;
  sessionId: string;
}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.base)) {
    if (value !== undefined && matches(name, input.inherit)) env[name] = value;
  }
  Object.assign(env, { DISABLE_AUTOUPDATER: '1' }, input.spawnerEnv, input.sessionEnv);
  // NODE_OPTIONS of the daemon must not leak into the CLI's tool processes.
  delete env['NODE_OPTIONS'];
  // Recovery resumes with a "continue" message of its own. With this on, the CLI would also re-run the
  // interrupted turn on --resume (repeating its tool call), so the session would be told to continue twice.
  // Only its absence means off everywhere: 2.1.197's print mode takes any value, "0" too, as on.
  delete env[RESUME_INTERRUPTED_TURN_VAR];
  env[SESSION_MARKER_VAR] = input.sessionId;
  return env;
}

/** The values of secret-looking variables in an environment, for redaction. */
export const secretValues = (env: Readonly<Record<string, string>>): string[] =>
  Object.entries(env)
    .filter(([name]) => SECRET_NAME.test(name))
    .map(([, value]) => value);
