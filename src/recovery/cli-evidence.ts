import { apiErrorKind, type ApiErrorKind } from '../session/api-errors.js';
import type { ClaudeSessionStatus, SessionEvidence } from '../session/types.js';
import { redactText } from '../utils/redact.js';
import type { CrashClass } from '../session/crash.js';
import type { Finding } from './finding.js';

const SUBTYPE_CLASS: Record<string, CrashClass> = {
  error_max_turns: 'max_turns',
  error_max_budget_usd: 'budget',
  error_during_execution: 'execution_error',
  error_max_structured_output_retries: 'execution_error',
};

// How each kind of API failure reads as a crash.
const API_ERROR_FINDING: Record<ApiErrorKind, [CrashClass, string]> = {
  auth: ['auth', ': the credentials were refused'],
  rate_limited: ['rate_limited', '; the CLI gave up after its retries'],
  overloaded: ['overloaded', ': the API is overloaded; the CLI gave up after its retries'],
  context_overflow: ['context_overflow', ' with terminal_reason=prompt_too_long: the conversation no longer fits the context window'],
  billing: ['billing', ': the account cannot be billed'],
  model_not_found: ['invalid_request', ': the request was rejected as invalid'],
  invalid_request: ['invalid_request', ': the request was rejected as invalid'],
  network: ['network', ': the CLI could not reach the API'],
  server: ['server_error', ': the API failed on its side; the CLI gave up after its retries'],
};

const RESUME_MISSING = 'No conversation found with session ID';

/** The outcome message, redacted and shortened, as `: <message>` (or ''). */
export const outcomeDetail = (status: ClaudeSessionStatus): string => {
  const message = status.outcome?.message ?? (status.state === 'completed' ? undefined : status.errorMessage);
  return message ? `: ${redactText(message).slice(0, 160)}` : '';
};

/** The first error of the last `result` message, if it says the resumed conversation does not exist. */
function resumeMissing(ev: SessionEvidence, status: ClaudeSessionStatus): string | undefined {
  for (const m of [...ev.lastMessages].reverse()) {
    const msg = m as { type?: unknown; errors?: unknown } | null;
    if (msg?.type !== 'result' || !Array.isArray(msg.errors)) continue;
    const first: unknown = msg.errors[0];
    return typeof first === 'string' && first.startsWith(RESUME_MISSING) ? first : undefined;
  }
  const message = status.outcome?.message;
  return message?.startsWith(RESUME_MISSING) ? message : undefined;
}

/** From the CLI's result and error fields: the result subtype first, then the API status and error names. */
export function fromCli(status: ClaudeSessionStatus): Finding | undefined {
  const ev = status.evidence;
  if (ev === undefined) return undefined;
  const subtypeClass = ev.resultSubtype === undefined ? undefined : SUBTYPE_CLASS[ev.resultSubtype];
  const tr = ev.terminalReason ? `terminal_reason=${ev.terminalReason}` : undefined;
  if (subtypeClass !== undefined) {
    const evidence = [`result_subtype=${ev.resultSubtype}`, ...(tr ? [tr] : [])];
    const missing = ev.resultSubtype === 'error_during_execution' ? resumeMissing(ev, status) : undefined;
    if (missing !== undefined) {
      const rootCause = `--resume found no transcript: "${redactText(missing)}"`;
      return { crashClass: 'resume_missing', confidence: 0.95, rootCause, facts: RESUME_MISSING, evidence: [...evidence, `errors[0]: ${missing}`] };
    }
    const facts = [ev.resultSubtype, tr].filter(Boolean).join(', ');
    const rootCause = `The CLI ended with result subtype ${facts}${outcomeDetail(status)}`;
    return { crashClass: subtypeClass, confidence: 0.95, rootCause, facts, evidence };
  }
  if (ev.isError === false) return undefined; // the last turn succeeded; an older error is stale
  const code = ev.apiErrorStatus ?? undefined;
  const err = ev.assistantError ?? '';
  const evidence = [
    ...(code === undefined ? [] : [`api_error_status=${code}`]),
    ...(err ? [`assistant_error=${err}`] : []),
    ...(ev.apiError ? [`api_error=${ev.apiError}`] : []),
    ...(ev.apiErrorType ? [`api_error_type=${ev.apiErrorType}`] : []),
    ...(tr ? [tr] : []),
  ];
  const name = err || ev.apiError || ev.apiErrorType;
  const facts = [code === undefined ? undefined : `HTTP ${code}`, name].filter(Boolean).join(' ');
  const failed = `The API call failed (${name || 'no status or error name'})`;
  const answered = code === undefined ? failed : `The API answered HTTP ${code}${err ? ` (${err})` : ''}`;
  // A status code is the CLI's record of the API's answer; an error name alone is slightly weaker.
  const hit = (crashClass: CrashClass, why: string): Finding => {
    return { crashClass, confidence: code === undefined ? 0.9 : 0.95, rootCause: `${answered}${why}`, facts, evidence };
  };
  const kind = apiErrorKind({ status: code, error: err, apiError: ev.apiError, errorType: ev.apiErrorType, terminalReason: ev.terminalReason });
  if (kind === undefined) return undefined;
  const [crashClass, why] = API_ERROR_FINDING[kind];
  return hit(crashClass, why);
}

const OUTCOME_CLASS: Record<string, CrashClass> = {
  'api_error:auth': 'auth',
  'api_error:rate_limited': 'rate_limited',
  'api_error:overloaded': 'overloaded',
  'api_error:context_overflow': 'context_overflow',
  'api_error:billing': 'billing',
  'api_error:model_not_found': 'invalid_request',
  'api_error:invalid_request': 'invalid_request',
  'api_error:network': 'network',
  'api_error:server': 'server_error',
  'result_error:max_turns': 'max_turns',
  'result_error:max_budget': 'budget',
  'result_error:execution': 'execution_error',
  'result_error:structured_output': 'execution_error',
};

/** From the spawner's own classification (`outcome.reason`), when the raw fields are missing. */
export function fromOutcome(status: ClaudeSessionStatus): Finding | undefined {
  const reason = status.outcome?.reason ?? '';
  const crashClass = OUTCOME_CLASS[reason];
  if (crashClass === undefined) return undefined;
  const rootCause = `The spawner recorded outcome ${reason}${outcomeDetail(status)}`;
  return { crashClass, confidence: 0.85, rootCause, facts: reason, evidence: [`outcome=${reason}`] };
}
