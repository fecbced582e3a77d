import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeCrash, isCrash } from '../../src/recovery/classify.js';
import { type CrashClass, type CrashType } from '../../src/session/crash.js';
import type { ClaudeSessionStatus } from '../../src/session/types.js';
import { makeStatus, type StatusOverrides } from './status.js';

interface Row {
  name: string;
  status: ClaudeSessionStatus;
  stopReason?: string;
  crashType: CrashType;
  crashClass: CrashClass;
  confidence: [number, number];
  /** Every pattern must appear in rootCause. */
  cause: RegExp[];
  /** Must be one of the evidence strings. */
  evidence: string;
}

type Evidence = StatusOverrides['evidence'];
const failed = (reason: string, evidence: Evidence, message?: string): ClaudeSessionStatus =>
  makeStatus({ state: 'failed', exitCode: 1, outcome: { reason, message }, evidence });
/** A failed API call as the CLI reports it: result subtype `success` with `is_error: true`. */
const api = (reason: string, apiErrorStatus: number | null, assistantError?: string, more: Evidence = {}): ClaudeSessionStatus =>
  failed(reason, { resultSubtype: 'success', isError: true, terminalReason: 'api_error', apiErrorStatus, assistantError, ...more });
const ended = (resultSubtype: string, terminalReason: string, more: Evidence = {}): Evidence => ({ resultSubtype, isError: true, terminalReason, ...more });
const crashed = (overrides: StatusOverrides): ClaudeSessionStatus => makeStatus({ state: 'crashed', ...overrides });
const exit1 = (text: { stderr?: string; stdout?: string }): ClaudeSessionStatus => crashed({ exitCode: 1, outcome: { reason: 'exit:1' }, ...text });
const row = (
  name: string,
  status: ClaudeSessionStatus,
  expected: `${CrashClass}/${CrashType}`,
  confidence: [number, number],
  cause: RegExp[],
  evidence: string,
  stopReason?: string,
): Row => {
  const [crashClass, crashType] = expected.split('/') as [CrashClass, CrashType];
  return { name, status, crashClass, crashType, confidence, cause, evidence, stopReason };
};
const NO_RESUME = 'No conversation found with session ID: abc';
const HEAP = 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory';

// Shapes observed from the real CLI (research doc §2–§3), as the spawner records them.
const TABLE: Row[] = [
  row('HTTP 401', api('api_error:auth', 401, 'authentication_failed'),
    'auth/permission', [0.9, 0.95], [/HTTP 401/, /authentication_failed/], 'api_error_status=401'),
  row('not logged in (status null)', api('api_error:auth', null, 'authentication_failed'),
    'auth/permission', [0.85, 0.95], [/authentication_failed/], 'assistant_error=authentication_failed'),
  row('HTTP 403', api('api_error:auth', 403), 'auth/permission', [0.9, 0.95], [/HTTP 403/], 'api_error_status=403'),
  row('HTTP 429', api('api_error:rate_limited', 429, 'rate_limit', { lastApiRetry: { attempt: 2, errorStatus: 429, error: 'rate_limit', retryDelayMs: 1019 } }),
    'rate_limited/network', [0.9, 0.95], [/HTTP 429 \(rate_limit\)/, /gave up after its retries/], 'api_error_status=429'),
  // 2.1.328 on a Retry-After too long to wait: no retry, status and the API's error type on the result.
  row('HTTP 429 with a long Retry-After (2.1.328)', api('api_error:rate_limited', 429, 'rate_limit', { apiErrorType: 'rate_limit_error' }),
    'rate_limited/network', [0.9, 0.95], [/HTTP 429 \(rate_limit\)/], 'api_error_type=rate_limit_error'),
  row('only the API error type', api('api_error:rate_limited', null, undefined, { apiErrorType: 'rate_limit_error' }),
    'rate_limited/network', [0.85, 0.9], [/rate_limit_error/], 'api_error_type=rate_limit_error'),
  row('HTTP 529', api('api_error:overloaded', 529, 'server_error'),
    'overloaded/network', [0.9, 0.95], [/HTTP 529/, /overloaded/], 'api_error_status=529'),
  row('HTTP 500', api('api_error:server', 500, 'server_error'), 'server_error/network', [0.9, 0.95], [/HTTP 500/], 'api_error_status=500'),
  row('HTTP 400 prompt too long', api('api_error:context_overflow', 400, 'invalid_request', { terminalReason: 'prompt_too_long' }),
    'context_overflow/unknown', [0.9, 0.95], [/HTTP 400/, /prompt_too_long/], 'terminal_reason=prompt_too_long'),
  row('HTTP 400 other', api('api_error:invalid_request', 400, 'invalid_request'),
    'invalid_request/unknown', [0.9, 0.95], [/HTTP 400/], 'api_error_status=400'),
  row('billing', api('api_error:billing', null, 'billing_error'),
    'billing/permission', [0.9, 0.95], [/billing_error/], 'assistant_error=billing_error'),
  row('connection failed (2.1.332)', api('api_error:network', null, 'server_error', { apiError: 'connection_failed' }),
    'network/network', [0.9, 0.95], [/server_error/, /could not reach the API/], 'api_error=connection_failed'),
  row('ConnectionRefused (2.1.197)', api('api_error:network', null, 'server_error', { terminalReason: 'completed' }),
    'network/network', [0.9, 0.95], [/server_error/], 'assistant_error=server_error'),
  row('max turns', failed('result_error:max_turns', ended('error_max_turns', 'max_turns'), 'Reached maximum number of turns (3)'),
    'max_turns/unknown', [0.9, 0.95], [/error_max_turns/, /maximum number of turns \(3\)/], 'result_subtype=error_max_turns'),
  row('max budget usd', failed('result_error:max_budget', ended('error_max_budget_usd', 'budget_exhausted')),
    'budget/unknown', [0.9, 0.95], [/error_max_budget_usd/], 'result_subtype=error_max_budget_usd'),
  // Since maxCostUsd, the spawner records the CLI's --max-budget-usd stop as budget:cost.
  row('max budget usd as budget:cost', failed('budget:cost', ended('error_max_budget_usd', 'budget_exhausted')),
    'budget/unknown', [0.9, 0.95], [/error_max_budget_usd/], 'result_subtype=error_max_budget_usd'),
  row('SIGINT during a request (result, rc 0)',
    makeStatus({ state: 'failed', exitCode: 0, outcome: { reason: 'result_error:execution' }, evidence: ended('error_during_execution', 'aborted_streaming') }),
    'execution_error/unknown', [0.9, 0.95], [/error_during_execution/, /aborted_streaming/], 'terminal_reason=aborted_streaming'),
  row('resume of a missing conversation',
    failed('result_error:execution', ended('error_during_execution', 'completed', {
      initialized: false,
      lastMessages: [{ type: 'result', subtype: 'error_during_execution', errors: [NO_RESUME] }],
    })),
    'resume_missing/unknown', [0.9, 0.95], [/No conversation found with session ID: abc/], `errors[0]: ${NO_RESUME}`),
  row('resume of a missing conversation (outcome message only)', failed('result_error:execution', ended('error_during_execution', 'completed'), NO_RESUME),
    'resume_missing/unknown', [0.9, 0.95], [/--resume found no transcript/], 'result_subtype=error_during_execution'),
  row('SIGTERM from outside (rc 143, no result)', crashed({ exitCode: 143, outcome: { reason: 'signal:SIGTERM' } }),
    'signal/unknown', [0.7, 0.9], [/SIGTERM/], 'signal=SIGTERM'),
  row('SIGHUP (rc 129, no result)', crashed({ exitCode: 129, outcome: { reason: 'exit:129' } }),
    'signal/unknown', [0.7, 0.9], [/SIGHUP/], 'exit_code=129'),
  row('SIGINT without a result', crashed({ signal: 'SIGINT', outcome: { reason: 'signal:SIGINT' } }),
    'signal/unknown', [0.7, 0.9], [/SIGINT/], 'signal=SIGINT'),
  row('SIGKILL from outside', crashed({ signal: 'SIGKILL', outcome: { reason: 'signal:SIGKILL' } }),
    'killed/oom', [0.55, 0.65], [/SIGKILL/, /OOM killer/], 'signal=SIGKILL'),
  row('SIGKILL with heap text', crashed({ signal: 'SIGKILL', stderr: `x\n${HEAP}\n` }),
    'killed/oom', [0.8, 0.9], [/SIGKILL/, /JavaScript heap out of memory/], 'signal=SIGKILL'),
  row('exit 137', crashed({ exitCode: 137, outcome: { reason: 'exit:137' } }), 'killed/oom', [0.55, 0.65], [/SIGKILL/], 'exit_code=137'),
  row('SIGABRT with heap text', crashed({ exitCode: 134, outcome: { reason: 'signal:SIGABRT' }, stderr: HEAP }),
    'oom/oom', [0.8, 0.9], [/SIGABRT/, /heap out of memory/], `stderr: ${HEAP}`),
  row('SIGSEGV', crashed({ signal: 'SIGSEGV', outcome: { reason: 'signal:SIGSEGV' } }),
    'segfault/segfault', [0.95, 0.95], [/^Process ended on SIGSEGV while running$/], 'signal=SIGSEGV'),
  row('SIGBUS at startup', crashed({ signal: 'SIGBUS', evidence: { initialized: false } }),
    'segfault/segfault', [0.9, 0.95], [/SIGBUS during startup/], 'signal=SIGBUS'),
  row('wall timeout (SIGTERM sent by the supervisor)', makeStatus({ state: 'timeout', exitCode: 143, outcome: { reason: 'timeout:wall' }, executionTime: 120_000 }),
    'timeout_wall/timeout', [0.95, 0.95], [/timeout:wall/, /120000 ms/], 'stop_reason=timeout:wall'),
  row('startup timeout, escalated to SIGKILL',
    makeStatus({ state: 'timeout', signal: 'SIGKILL', outcome: { reason: 'timeout:startup' }, evidence: { initialized: false } }),
    'timeout_startup/timeout', [0.95, 0.95], [/timeout:startup/], 'stop_reason=timeout:startup'),
  row('idle timeout while the CLI retried a 429',
    makeStatus({ state: 'timeout', signal: 'SIGTERM', outcome: { reason: 'timeout:idle' }, evidence: { lastApiRetry: { attempt: 7, errorStatus: 429, error: 'rate_limit' } } }),
    'timeout_idle/timeout', [0.95, 0.95], [/timeout:idle/, /429 rate_limit, attempt 7/], 'last_api_retry=429 rate_limit'),
  row('stop reason passed in context', crashed({ signal: 'SIGKILL' }),
    'timeout_idle/timeout', [0.95, 0.95], [/timeout:idle/], 'stop_reason=timeout:idle', 'timeout:idle'),
  row('token budget', makeStatus({ state: 'failed', signal: 'SIGTERM', outcome: { reason: 'budget:tokens' } }),
    'budget/unknown', [0.95, 0.95], [/budget:tokens/], 'stop_reason=budget:tokens'),
  row('cost budget', makeStatus({ state: 'failed', signal: 'SIGTERM', outcome: { reason: 'budget:cost' } }),
    'budget/unknown', [0.95, 0.95], [/budget:cost/], 'stop_reason=budget:cost'),
  row('spawn EACCES', makeStatus({ state: 'failed', outcome: { reason: 'spawn_error', message: 'spawn /opt/claude EACCES' }, evidence: null }),
    'permission/permission', [0.55, 0.65], [/spawn \/opt\/claude EACCES/], 'message: spawn /opt/claude EACCES'),
  row('heap text on stderr, exit 1', exit1({ stderr: '<--- Last few GCs --->\nJavaScript heap out of memory\n' }),
    'oom/oom', [0.65, 0.75], [/stderr reports "JavaScript heap out of memory"/], 'stderr: JavaScript heap out of memory'),
  row('ECONNRESET on stderr', exit1({ stderr: 'Error: socket hang up (ECONNRESET)' }),
    'network/network', [0.55, 0.65], [/ECONNRESET/], 'stderr: Error: socket hang up (ECONNRESET)'),
  row('EPERM on stdout only (weaker)', exit1({ stdout: 'rm: cannot remove x: Permission denied' }),
    'permission/permission', [0.45, 0.55], [/stdout reports/], 'stdout: rm: cannot remove x: Permission denied'),
  row('exit 1 without a result', exit1({}), 'exit/unknown', [0.35, 0.45], [/code 1/], 'exit_code=1'),
  row('nothing known', crashed({ outcome: { reason: 'exit:unknown' }, evidence: null }),
    'unknown/unknown', [0.25, 0.35], [/exit:unknown/], 'outcome=exit:unknown'),
  row('outcome only (no evidence)', makeStatus({ state: 'failed', outcome: { reason: 'api_error:rate_limited' }, evidence: null }),
    'rate_limited/network', [0.8, 0.9], [/api_error:rate_limited/], 'outcome=api_error:rate_limited'),
];

void describe('analyzeCrash', () => {
  for (const row of TABLE) {
    void it(`${row.name} → ${row.crashClass}`, () => {
      const analysis = analyzeCrash(row.status, row.stopReason === undefined ? undefined : { stopReason: row.stopReason });
      assert.equal(analysis.crashClass, row.crashClass);
      assert.equal(analysis.crashType, row.crashType);
      const [low, high] = row.confidence;
      assert.ok(analysis.confidence >= low && analysis.confidence <= high, `confidence ${analysis.confidence} not in [${low}, ${high}]`);
      for (const pattern of row.cause) assert.match(analysis.rootCause, pattern);
      assert.ok(analysis.evidence.includes(row.evidence), `${JSON.stringify(analysis.evidence)} lacks ${row.evidence}`);
      assert.ok(analysis.recommendation.length > 0 && analysis.suggestedFixes.length > 0);
    });
  }

  void it('names the evidence in the recommendation too', () => {
    const analysis = analyzeCrash(TABLE.find((r) => r.name === 'HTTP 429')!.status);
    assert.match(analysis.recommendation, /HTTP 429 rate_limit/);
  });

  void it('redacts secrets quoted from the output', () => {
    const status = makeStatus({ exitCode: 1, stderr: 'ECONNREFUSED while using sk-ant-abcdefghij12345' });
    const analysis = analyzeCrash(status);
    assert.equal(analysis.crashClass, 'network');
    assert.ok(!JSON.stringify(analysis).includes('sk-ant-abcdefghij12345'));
  });

  void it('ignores an API error from an earlier turn when the last result succeeded', () => {
    const status = makeStatus({ exitCode: 1, evidence: { resultSubtype: 'success', isError: false, assistantError: 'rate_limit' } });
    assert.equal(analyzeCrash(status).crashClass, 'exit');
  });

  void it('calls a requested stop no crash', () => {
    const analysis = analyzeCrash(makeStatus({ state: 'terminated', exitCode: 143, outcome: { reason: 'terminated' } }));
    assert.equal(analysis.crashClass, 'unknown');
    assert.match(analysis.rootCause, /on request \(terminated\); this is not a crash/);
  });
});

void describe('isCrash', () => {
  const cases: [string, ClaudeSessionStatus, boolean][] = [
    ['crashed', makeStatus({ state: 'crashed', outcome: { reason: 'signal:SIGSEGV' } }), true],
    ['timeout', makeStatus({ state: 'timeout', outcome: { reason: 'timeout:wall' } }), true],
    ['failed (API error)', makeStatus({ state: 'failed', outcome: { reason: 'api_error:rate_limited' } }), true],
    ['failed (max turns)', makeStatus({ state: 'failed', outcome: { reason: 'result_error:max_turns' } }), true],
    ['failed (spawn error)', makeStatus({ state: 'failed', outcome: { reason: 'spawn_error', message: 'ENOENT' } }), true],
    ['failed (token budget)', makeStatus({ state: 'failed', outcome: { reason: 'budget:tokens' } }), false],
    ['failed (cost budget)', makeStatus({ state: 'failed', outcome: { reason: 'budget:cost' } }), false],
    ["failed (the CLI's cost cap)", makeStatus({ state: 'failed', outcome: { reason: 'budget:cost' }, evidence: { resultSubtype: 'error_max_budget_usd', isError: true } }), false],
    ['completed', makeStatus({ state: 'completed', outcome: { reason: 'completed' } }), false],
    ['terminated', makeStatus({ state: 'terminated', outcome: { reason: 'terminated' } }), false],
    ['running', makeStatus({ state: 'running' }), false],
  ];
  for (const [name, status, expected] of cases) {
    void it(`${name} → ${expected}`, () => assert.equal(isCrash(status), expected));
  }
});
