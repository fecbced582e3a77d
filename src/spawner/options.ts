import { z } from 'zod';
import { ErrorCodes } from '../session/errors.js';
import { createLogger, type Logger } from '../utils/logger.js';
import { validate } from '../utils/validate.js';
import { DEFAULT_INHERITED_ENV } from './env.js';

/** Options of {@link ClaudeSessionSpawner}. */
export interface SpawnerOptions {
  /** Path of the `claude` binary. @default `VP_CLAUDE_PATH`, then `claude` on PATH, then the pinned package's binary */
  readonly claudePath?: string;
  /** Extra environment for every session, e.g. `ANTHROPIC_BASE_URL`. */
  readonly env?: Readonly<Record<string, string>>;
  /** Names (or `PREFIX_*`) taken from the daemon's own environment. @default DEFAULT_INHERITED_ENV */
  readonly inheritEnv?: readonly string[];
  /** State folder for session files. @default `<workingDirectory>/.vp-daemon` */
  readonly stateDir?: string;
  /** Time between SIGTERM and SIGKILL when stopping a session, in ms. @default 5000 */
  readonly killGraceMs?: number;
  /** `--permission-mode` for every session. @default 'dontAsk' (only the charter's tools run, nothing prompts) */
  readonly permissionMode?: 'default' | 'acceptEdits' | 'dontAsk' | 'plan';
  /** Finished sessions kept in memory for `getSessionStatus`. @default 1000 */
  readonly maxHistory?: number;
  /**
   * Bytes of stdout and of stderr kept in memory per session, and in its status (the rest is in files).
   * Small by default: a daemon keeps up to `maxHistory` finished statuses. @default 16384
   */
  readonly outputTailBytes?: number;
  /** Default startup deadline in ms (first `system/init`). @default 60000 */
  readonly startupTimeoutMs?: number;
  /** Default no-output deadline in ms; 0 disables it. @default 900000 */
  readonly idleTimeoutMs?: number;
  /** How long a tool call that needs approval waits for `approve`/`deny` before it is denied, in ms. @default 900000 */
  readonly approvalTimeoutMs?: number;
  /**
   * `CLAUDE_CONFIG_DIR` of each session. `'inherit'` keeps the environment's; `'per-session'` gives each
   * session a private copy (auth files copied in, transcripts shared) so parallel sessions cannot corrupt
   * each other's `.claude.json`. @default 'inherit'
   */
  readonly claudeConfigDir?: 'inherit' | 'per-session';
  /**
   * How sessions are isolated. `'sandbox'`: each runs in a bubblewrap sandbox (its workspace writable, the system
   * read-only, the daemon's state, other workspaces and the rest of HOME invisible, a PID namespace of its own).
   * `'none'`: the CLI runs as the daemon's user, with a warning per session. A session's `isolation` overrides it.
   * @default 'sandbox'
   */
  readonly isolation?: Isolation;
  /** Sandbox settings: the `bwrap` binary (default: on PATH) and more paths shown read-only inside. */
  readonly sandbox?: { readonly bwrapPath?: string; readonly readOnlyPaths?: readonly string[] };
  /** Extra CLI arguments appended to every invocation. */
  readonly extraArgs?: readonly string[];
  /** pino logger. @default JSON on stderr at `VP_DAEMON_LOG_LEVEL` (warn) */
  readonly logger?: Logger;
}

/** `'sandbox'` (bubblewrap) or `'none'`. */
export type Isolation = 'sandbox' | 'none';

export type FilledSpawnerOptions = Required<Omit<SpawnerOptions, 'claudePath' | 'stateDir'>> &
  Pick<SpawnerOptions, 'claudePath' | 'stateDir'>;

const ms = z.number().int().nonnegative();
const schema = z.object({
  claudePath: z.string().min(1).optional(),
  env: z.record(z.string(), z.string()).optional(),
  inheritEnv: z.array(z.string()).optional(),
  stateDir: z.string().min(1).optional(),
  killGraceMs: ms.optional(),
  permissionMode: z.enum(['default', 'acceptEdits', 'dontAsk', 'plan']).optional(),
  maxHistory: z.number().int().positive().optional(),
  outputTailBytes: z.number().int().min(1024).optional(),
  startupTimeoutMs: ms.optional(),
  idleTimeoutMs: ms.optional(),
  approvalTimeoutMs: z.number().int().positive().optional(),
  claudeConfigDir: z.enum(['inherit', 'per-session']).optional(),
  extraArgs: z.array(z.string()).optional(),
  isolation: z.enum(['sandbox', 'none']).optional(),
  sandbox: z.object({ bwrapPath: z.string().min(1).optional(), readOnlyPaths: z.array(z.string().startsWith('/', 'must be an absolute path')).optional() }).strict().optional(),
  logger: z.any().optional(),
});

/** Validates spawner options and fills in defaults. */
export function normalizeSpawnerOptions(options: SpawnerOptions = {}): FilledSpawnerOptions {
  validate(schema, options, ErrorCodes.INVALID_OPTION);
  return {
    claudePath: options.claudePath,
    stateDir: options.stateDir,
    env: options.env ?? {},
    inheritEnv: options.inheritEnv ?? DEFAULT_INHERITED_ENV,
    killGraceMs: options.killGraceMs ?? 5000,
    permissionMode: options.permissionMode ?? 'dontAsk',
    maxHistory: options.maxHistory ?? 1000,
    outputTailBytes: options.outputTailBytes ?? 16 * 1024,
    startupTimeoutMs: options.startupTimeoutMs ?? 60_000,
    idleTimeoutMs: options.idleTimeoutMs ?? 900_000,
    approvalTimeoutMs: options.approvalTimeoutMs ?? 900_000,
    claudeConfigDir: options.claudeConfigDir ?? 'inherit',
    extraArgs: options.extraArgs ?? [],
    isolation: options.isolation ?? 'sandbox',
    sandbox: options.sandbox ?? {},
    logger: options.logger ?? createLogger(),
  };
}
