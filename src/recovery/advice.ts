import type { CrashClass, CrashType } from '../session/crash.js';

/** The spec's six crash types, by class. */
export const CRASH_TYPE: Record<CrashClass, CrashType> = {
  segfault: 'segfault',
  oom: 'oom',
  killed: 'oom',
  signal: 'unknown',
  exit: 'unknown',
  timeout_wall: 'timeout',
  timeout_startup: 'timeout',
  timeout_idle: 'timeout',
  network: 'network',
  rate_limited: 'network',
  overloaded: 'network',
  server_error: 'network',
  auth: 'permission',
  billing: 'permission',
  permission: 'permission',
  budget: 'unknown',
  max_turns: 'unknown',
  context_overflow: 'unknown',
  invalid_request: 'unknown',
  resume_missing: 'unknown',
  execution_error: 'unknown',
  unknown: 'unknown',
};

interface Advice {
  recommendation: string;
  suggestedFixes: string[];
}

/** What to do about each class. `facts` is the short evidence (e.g. `HTTP 429 (rate_limit)`) to name in the text. */
export function adviceFor(crashClass: CrashClass, facts: string): Advice {
  const a = (recommendation: string, ...suggestedFixes: string[]): Advice => ({ recommendation, suggestedFixes });
  switch (crashClass) {
    case 'segfault':
      return a(
        `Retry in a fresh process; a native crash (${facts}) is usually not repeatable`,
        'Check the CLI version (claude --version) and pin a release without the crash',
        'Keep the stderr tail and the crash dump for a bug report',
      );
    case 'oom':
    case 'killed':
      return a(
        crashClass === 'oom'
          ? `Retry, resuming the conversation in a fresh process; memory ran out (${facts})`
          : `Retry, resuming the conversation in a fresh process; an outside ${facts} is most often the OOM killer`,
        'Raise the memory limit of the process or its cgroup (budget 0.5–1 GB per session)',
        'Run fewer sessions at once, or recycle long sessions via --resume in a fresh process',
        'Split the task into smaller pieces so each session stays short',
      );
    case 'signal':
      return a(
        `Retry; the process was stopped by a signal the supervisor did not send (${facts})`,
        'Find who sent the signal (service manager, shell job control, another supervisor)',
      );
    case 'exit':
      return a(
        `Retry; the CLI exited without a result (${facts})`,
        'Read the stderr tail and the stdout file for the last message before the exit',
        'Check the CLI arguments and its version',
      );
    case 'timeout_wall':
      return a(
        `Retry, resuming where it stopped, or raise the wall-clock limit (${facts})`,
        'Raise timeout or charter.resources.maxExecutionTime',
        'Split the task into smaller pieces',
      );
    case 'timeout_startup':
      return a(
        `Retry; the CLI did not start in time (${facts})`,
        'Check network access to the API, DNS and remote-settings fetches',
        'Check MCP servers that never answer (set MCP_TIMEOUT) and raise startupTimeoutMs if needed',
      );
    case 'timeout_idle':
      return a(
        `Retry, resuming the conversation; the CLI went silent (${facts})`,
        'Look for a hung tool process (a Bash command waiting for input) in the stdout file',
        'Raise idleTimeoutMs for tasks with long silent commands',
      );
    case 'network':
      return a(
        `Retry with backoff once the API is reachable (${facts})`,
        'Check DNS, proxy and firewall access to the API host (or ANTHROPIC_BASE_URL)',
      );
    case 'rate_limited':
      return a(
        `Wait for the rate limit to reset, then retry (${facts})`,
        'Run fewer sessions at once or spread them over time',
        'Use a key or plan with a higher rate limit',
      );
    case 'overloaded':
      return a(`Retry with backoff; the API is at capacity, usually briefly (${facts})`, 'Configure a fallback model for busy periods');
    case 'server_error':
      return a(`Retry with backoff; the API failed on its side (${facts})`, 'Check the API status page if it persists');
    case 'auth':
      return a(
        `Do not retry until the credentials are fixed (${facts})`,
        'Check ANTHROPIC_API_KEY or the login in the session config folder',
        'Check that the key belongs to an organisation allowed to use the model',
      );
    case 'billing':
      return a(`Do not retry until billing is fixed (${facts})`, 'Check the account credit balance and payment method');
    case 'permission':
      return a(
        `Do not retry until access is fixed (${facts})`,
        'Check file modes and ownership of the working directory, state folder and CLI binary',
      );
    case 'budget':
      return a(
        `Do not retry; the session was stopped by its budget (${facts})`,
        'Raise the budget (charter.resources.maxTokens or maxCostUsd) if the task needs more',
        'Split the task into smaller pieces',
      );
    case 'max_turns':
      return a(
        `Do not retry as is; the task used all its turns (${facts})`,
        'Raise maxTurns if the task needs more',
        'Make the task description more specific',
      );
    case 'context_overflow':
      return a(
        `Retry in a new conversation (no --resume); the old one no longer fits (${facts})`,
        'Carry a short summary of the work so far into the new prompt',
        'Split the task so that each conversation stays small',
      );
    case 'invalid_request':
      return a(`Do not retry as is; the API rejected the request (${facts})`, 'Check the model name and the CLI arguments');
    case 'resume_missing':
      return a(
        `Retry in a new conversation (no --resume); the transcript is gone (${facts})`,
        'Keep the per-session config folder (CLAUDE_CONFIG_DIR) until resumes are done',
      );
    case 'execution_error':
      return a(
        `Retry; the CLI ended the turn with an error (${facts})`,
        'Read the last messages in the crash dump for the failing step',
      );
    case 'unknown':
      return a(
        `Retry; the cause is unknown (${facts})`,
        'Read the stderr tail and the stdout file for the last output before the end',
      );
  }
}
