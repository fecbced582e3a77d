/**
 * Token counts the offline model server reports for one model call, as the API does: input and cache
 * tokens in `message_start` (with 1 output token), the call's output tokens in its `message_delta`.
 */
export interface ScriptedUsage {
  readonly input?: number;
  readonly output?: number;
  readonly cacheCreation?: number;
  readonly cacheRead?: number;
}

/** One answer of the offline model server, chosen by the position in the conversation. */
export type ModelStep =
  | {
      readonly kind: 'text';
      readonly text: string;
      readonly usage?: ScriptedUsage;
      /** Pause before each streamed chunk, to simulate a slow stream. */
      readonly chunkDelayMs?: number;
    }
  | {
      readonly kind: 'tool';
      readonly name: string;
      readonly input: Record<string, unknown>;
      readonly text?: string;
      readonly usage?: ScriptedUsage;
    }
  | {
      readonly kind: 'error';
      readonly status: number;
      readonly errorType?: string;
      readonly message?: string;
      /** Sent as the `retry-after` header (seconds). */
      readonly retryAfterSec?: number;
      /** Fail this many attempts at this position, then answer with `then`. Default: always. */
      readonly times?: number;
      readonly then?: ModelStep;
    }
  | {
      /** Accept the request and never answer (the connection stays open until the client leaves). */
      readonly kind: 'hang';
    };

/** A scripted conversation: step N answers the model call that follows N assistant turns. */
export interface Scenario {
  readonly name: string;
  readonly steps: readonly ModelStep[];
  /** Start again at the first step instead of finishing (a runaway agent). */
  readonly loop?: boolean;
  /** Usage for steps that name none. */
  readonly usage?: ScriptedUsage;
}

export const DEFAULT_USAGE: Required<ScriptedUsage> = { input: 100, output: 20, cacheCreation: 0, cacheRead: 0 };

/** The model answers with plain text. */
export const say = (text: string, usage?: ScriptedUsage): ModelStep => ({ kind: 'text', text, usage });

/** The model calls the Bash tool. */
export const bash = (command: string, usage?: ScriptedUsage): ModelStep => ({
  kind: 'tool',
  name: 'Bash',
  input: { command, description: 'Run a command' },
  usage,
});

/** The model calls the Write tool. */
export const write = (filePath: string, content: string, usage?: ScriptedUsage): ModelStep => ({
  kind: 'tool',
  name: 'Write',
  input: { file_path: filePath, content },
  usage,
});

/** The model calls the Edit tool. */
export const edit = (filePath: string, oldString: string, newString: string, usage?: ScriptedUsage): ModelStep => ({
  kind: 'tool',
  name: 'Edit',
  input: { file_path: filePath, old_string: oldString, new_string: newString },
  usage,
});

/** The API answers with an HTTP error. */
export const apiError = (
  status: number,
  options: { errorType?: string; message?: string; retryAfterSec?: number; times?: number; then?: ModelStep } = {},
): ModelStep => ({ kind: 'error', status, ...options });

/** The API never answers. */
export const hang = (): ModelStep => ({ kind: 'hang' });

/** Picks the step for a conversation that already has `assistantTurns` assistant messages. */
export function stepAt(scenario: Scenario, assistantTurns: number): ModelStep | undefined {
  const { steps } = scenario;
  if (steps.length === 0) return undefined;
  const index = scenario.loop ? assistantTurns % steps.length : assistantTurns;
  return steps[index];
}

/** The marker that selects a scenario from inside a prompt: `[[scenario:NAME]]`. */
export const scenarioMarker = (name: string): string => `[[scenario:${name}]]`;

const MARKER = /\[\[scenario:([\w.-]+)\]\]/;

/** Finds a scenario marker in any text. */
export function findScenarioMarker(text: string): string | undefined {
  return MARKER.exec(text)?.[1];
}
