import type { ClaudeSessionStatus } from '../../session/types.js';
import type { Logger } from '../../utils/logger.js';
import type { DeadlineSettings } from '../deadlines.js';
import type { SpawnerEvents } from '../types.js';

/** What the spawner hands a session to run. */
export interface SessionRunInit {
  status: ClaudeSessionStatus;
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  prompt: string;
  deadlines: DeadlineSettings;
  killGraceMs: number;
  tailBytes: number;
  /** Token budget (`charter.resources.maxTokens`). */
  maxTokens: number;
  /** Cost budget in USD (`charter.resources.maxCostUsd`); none when undefined. */
  maxCostUsd?: number;
  secrets: string[];
  /** The CLI runs inside bubblewrap: the process is bwrap, which reports the CLI's death by signal n as exit code 128+n. */
  sandboxed: boolean;
  logger: Logger;
  /** The session's guard channel: told when the budget is used up, and synced before a tool counts as unguarded. */
  guard?: { overBudget(): void; sync(): Promise<void> };
  /** Runs once the session has ended and none of its processes is left, before its final status is written. */
  deliver?: (status: ClaudeSessionStatus) => Promise<void>;
  emit: <K extends keyof SpawnerEvents>(event: K, ...payload: SpawnerEvents[K]) => void;
  wants: (event: keyof SpawnerEvents) => boolean;
}
