import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackgroundTask, ClaudeSessionStatus } from '../../session/types.js';
import { redactValue } from '../../utils/redact.js';
import type { MetricsAccumulator } from '../metrics.js';
import { decideOutcome, type StopReason } from '../outcome.js';
import type { ExitFacts } from './termination.js';

/** Copies the live metrics and output tails into `status`. */
export function refreshStatus(
  status: ClaudeSessionStatus,
  m: MetricsAccumulator,
  tails: { stdout: string; stderr: string },
  backgroundTasks: BackgroundTask[],
): void {
  status.backgroundTasks = backgroundTasks;
  status.metrics = structuredClone(m.metrics);
  status.tokenUsage = { ...m.tokenUsage };
  status.costUsd = m.costUsd;
  status.modifiedFiles = [...m.modifiedFiles];
  status.model = m.model;
  status.claudeCodeVersion = m.claudeCodeVersion;
  status.resultText = m.lastResult?.result;
  status.stdout = tails.stdout;
  status.stderr = tails.stderr;
}

/** What a session ended with, as {@link settleStatus} needs it. */
export interface FinalFacts {
  exit: ExitFacts | undefined;
  stopReason: StopReason | undefined;
  metrics: MetricsAccumulator;
  initialized: boolean;
  lastMessages: unknown[];
  secrets: string[];
}

/** Decides the final state and outcome and fills in the end time and the crash evidence. */
export function settleStatus(status: ClaudeSessionStatus, facts: FinalFacts): void {
  const m = facts.metrics;
  const exit = facts.exit ?? { code: null, signal: null };
  const result = m.lastResult;
  const { state, outcome } = decideOutcome({
    exitCode: exit.code,
    signal: exit.signal,
    stopReason: facts.stopReason,
    result,
    assistantError: m.lastAssistantError,
  });
  status.state = state;
  status.outcome = outcome;
  status.exitCode = exit.code;
  status.signal = exit.signal;
  status.endTime = new Date();
  status.executionTime = status.endTime.getTime() - status.startTime.getTime();
  if (state !== 'completed') status.errorMessage = outcome.message ?? outcome.reason;
  status.evidence = {
    resultSubtype: result?.subtype,
    isError: result?.is_error,
    apiErrorStatus: result?.api_error_status,
    apiError: result?.api_error,
    apiErrorType: result?.api_error_type,
    assistantError: m.lastAssistantError,
    terminalReason: result?.terminal_reason,
    lastApiRetry: m.lastApiRetry,
    rateLimitResetsAtMs: m.rateLimitResetsAtMs,
    initialized: facts.initialized,
    lastMessages: redactValue(facts.lastMessages, facts.secrets),
  };
}

/** Writes `status.json` into the session folder; a failure to write is not an error of the session. */
export async function writeStatusFile(status: ClaudeSessionStatus): Promise<void> {
  await writeFile(join(status.files.dir, 'status.json'), JSON.stringify(status, null, 2)).catch(() => undefined);
}
