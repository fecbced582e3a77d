import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyApiError, decideOutcome, type EndFacts } from '../../src/spawner/outcome.js';
import type { ResultMessage } from '../../src/spawner/stream/messages.js';
import type { SessionState } from '../../src/session/types.js';

/** A `result` line as the CLI writes it; fields as observed. */
const result = (over: Partial<ResultMessage> = {}): ResultMessage => ({
  type: 'result',
  subtype: 'success',
  is_error: false,
  duration_ms: 1200,
  num_turns: 1,
  result: 'All done.',
  session_id: '0b1c2d3e-0000-4000-8000-000000000000',
  total_cost_usd: 0.01,
  usage: { input_tokens: 10, output_tokens: 5 },
  permission_denials: [],
  ...over,
});

/** An API failure: the CLI still says `success` but sets `is_error`. */
const apiFailure = (over: Partial<ResultMessage> = {}): ResultMessage =>
  result({ is_error: true, result: 'API Error', total_cost_usd: 0, ...over });

interface Case {
  name: string;
  facts: EndFacts;
  state: SessionState;
  reason: string;
  message?: string;
}

const exited = (exitCode: number | null, signal: string | null = null): EndFacts => ({ exitCode, signal });

const CASES: Case[] = [
  { name: 'success result', facts: { ...exited(0), result: result() }, state: 'completed', reason: 'completed', message: 'All done.' },
  { name: 'success result, exit code lost', facts: { ...exited(null), result: result() }, state: 'completed', reason: 'completed' },
  // API errors, from api_error_status or the last assistant message's `error`.
  { name: '401', facts: { ...exited(1), result: apiFailure({ api_error_status: 401 }) }, state: 'failed', reason: 'api_error:auth' },
  { name: '403', facts: { ...exited(1), result: apiFailure({ api_error_status: 403 }) }, state: 'failed', reason: 'api_error:auth' },
  { name: 'authentication_failed', facts: { ...exited(1), result: apiFailure({ api_error_status: null }), assistantError: 'authentication_failed' }, state: 'failed', reason: 'api_error:auth' },
  { name: '429', facts: { ...exited(1), result: apiFailure({ api_error_status: 429 }) }, state: 'failed', reason: 'api_error:rate_limited' },
  { name: 'rate_limit', facts: { ...exited(1), result: apiFailure(), assistantError: 'rate_limit' }, state: 'failed', reason: 'api_error:rate_limited' },
  { name: '529', facts: { ...exited(1), result: apiFailure({ api_error_status: 529 }) }, state: 'failed', reason: 'api_error:overloaded' },
  { name: 'overloaded', facts: { ...exited(1), result: apiFailure(), assistantError: 'overloaded' }, state: 'failed', reason: 'api_error:overloaded' },
  { name: 'connection_failed, no status', facts: { ...exited(1), result: apiFailure({ api_error: 'connection_failed', api_error_status: null }) }, state: 'failed', reason: 'api_error:network' },
  { name: 'prompt_too_long with 400', facts: { ...exited(1), result: apiFailure({ terminal_reason: 'prompt_too_long', api_error_status: 400 }) }, state: 'failed', reason: 'api_error:context_overflow' },
  { name: '500', facts: { ...exited(1), result: apiFailure({ api_error_status: 500 }) }, state: 'failed', reason: 'api_error:server' },
  { name: '503 with server_error', facts: { ...exited(1), result: apiFailure({ api_error_status: 503 }), assistantError: 'server_error' }, state: 'failed', reason: 'api_error:server' },
  // Result subtypes.
  { name: 'error_max_turns', facts: { ...exited(1), result: result({ subtype: 'error_max_turns', is_error: true, result: undefined, errors: ['Reached maximum number of turns (3)'] }) }, state: 'failed', reason: 'result_error:max_turns', message: 'Reached maximum number of turns (3)' },
  // The CLI's --max-budget-usd backs maxCostUsd: its stop is the same budget:cost as the live one.
  { name: 'error_max_budget_usd', facts: { ...exited(1), result: result({ subtype: 'error_max_budget_usd', is_error: true, result: undefined, errors: ['Reached maximum budget ($0.05)'] }) }, state: 'failed', reason: 'budget:cost', message: 'Reached maximum budget ($0.05)' },
  { name: 'error_during_execution', facts: { ...exited(1), result: result({ subtype: 'error_during_execution', is_error: true, result: undefined, errors: ['a', 'b'] }) }, state: 'failed', reason: 'result_error:execution', message: 'a; b' },
  { name: 'error_max_turns wins over an api status', facts: { ...exited(1), result: result({ subtype: 'error_max_turns', is_error: true, api_error_status: 429 }) }, state: 'failed', reason: 'result_error:max_turns' },
  // No result: the process died.
  { name: 'SIGSEGV', facts: exited(null, 'SIGSEGV'), state: 'crashed', reason: 'signal:SIGSEGV' },
  { name: 'exit 143', facts: exited(143), state: 'crashed', reason: 'signal:SIGTERM' },
  { name: 'exit 137', facts: exited(137), state: 'crashed', reason: 'signal:SIGKILL' },
  { name: 'exit 139', facts: exited(139), state: 'crashed', reason: 'signal:SIGSEGV' },
  { name: 'exit 134', facts: exited(134), state: 'crashed', reason: 'signal:SIGABRT' },
  { name: 'exit 1', facts: exited(1), state: 'crashed', reason: 'exit:1', message: 'The CLI exited without a result' },
  { name: 'exit 0 without a result', facts: exited(0), state: 'crashed', reason: 'exit:0' },
  { name: 'exit 128', facts: exited(128), state: 'crashed', reason: 'exit:128' },
  { name: 'exit 255', facts: exited(255), state: 'crashed', reason: 'exit:255' },
  { name: 'no code, no signal', facts: exited(null), state: 'crashed', reason: 'exit:unknown' },
  { name: 'signal beats exit code', facts: exited(1, 'SIGABRT'), state: 'crashed', reason: 'signal:SIGABRT' },
  // The supervisor's own decision wins.
  { name: 'timeout:wall over a success result', facts: { ...exited(143, 'SIGTERM'), stopReason: 'timeout:wall', result: result(), spawnError: 'x' }, state: 'timeout', reason: 'timeout:wall' },
  { name: 'timeout:wall over a crash', facts: { ...exited(null, 'SIGKILL'), stopReason: 'timeout:wall' }, state: 'timeout', reason: 'timeout:wall' },
  { name: 'timeout:startup', facts: { ...exited(143), stopReason: 'timeout:startup' }, state: 'timeout', reason: 'timeout:startup' },
  { name: 'timeout:idle', facts: { ...exited(null, 'SIGTERM'), stopReason: 'timeout:idle' }, state: 'timeout', reason: 'timeout:idle' },
  { name: 'terminated with SIGTERM', facts: { ...exited(null, 'SIGTERM'), stopReason: 'terminated' }, state: 'terminated', reason: 'terminated' },
  { name: 'terminated with exit 143', facts: { ...exited(143), stopReason: 'terminated' }, state: 'terminated', reason: 'terminated' },
  { name: 'terminated with SIGKILL and an API error', facts: { ...exited(null, 'SIGKILL'), stopReason: 'terminated', result: apiFailure({ api_error_status: 401 }) }, state: 'terminated', reason: 'terminated' },
  { name: 'budget:tokens', facts: { ...exited(null, 'SIGTERM'), stopReason: 'budget:tokens' }, state: 'failed', reason: 'budget:tokens' },
  { name: 'budget:tokens over a result', facts: { ...exited(0), stopReason: 'budget:tokens', result: result() }, state: 'failed', reason: 'budget:tokens' },
  { name: 'budget:cost', facts: { ...exited(143), stopReason: 'budget:cost' }, state: 'failed', reason: 'budget:cost' },
  { name: 'budget:tokens over the CLI budget result', facts: { ...exited(1), stopReason: 'budget:tokens', result: result({ subtype: 'error_max_budget_usd', is_error: true }) }, state: 'failed', reason: 'budget:tokens' },
  { name: 'spawn error', facts: { ...exited(null), spawnError: 'spawn ENOENT' }, state: 'failed', reason: 'spawn_error', message: 'spawn ENOENT' },
  { name: 'spawn error over an exit code', facts: { ...exited(127), spawnError: 'EACCES' }, state: 'failed', reason: 'spawn_error', message: 'EACCES' },
];

void describe('decideOutcome', () => {
  for (const c of CASES) {
    void it(`${c.name} -> ${c.state} ${c.reason}`, () => {
      const { state, outcome } = decideOutcome(c.facts);
      assert.equal(state, c.state);
      assert.equal(outcome.reason, c.reason);
      if (c.message !== undefined) assert.equal(outcome.message, c.message);
      if (c.state !== 'crashed') assert.ok(!outcome.reason.startsWith('signal:') && !outcome.reason.startsWith('exit:'));
    });
  }

  void it('never says crashed when the supervisor stopped the session', () => {
    for (const stopReason of ['terminated', 'timeout:wall', 'timeout:startup', 'timeout:idle', 'budget:cost'] as const) {
      for (const signal of ['SIGTERM', 'SIGKILL', 'SIGSEGV', null]) {
        const { state } = decideOutcome({ exitCode: signal === null ? 143 : null, signal, stopReason });
        assert.notEqual(state, 'crashed', `${stopReason} ${String(signal)}`);
      }
    }
  });

  void it('passes the result text on as the message of an API failure', () => {
    const { outcome } = decideOutcome({ exitCode: 1, signal: null, result: apiFailure({ api_error_status: 401, result: 'Invalid API key' }) });
    assert.deepEqual(outcome, { reason: 'api_error:auth', message: 'Invalid API key' });
  });
});

void describe('classifyApiError', () => {
  const cases: [string, Partial<ResultMessage>, string | undefined, string][] = [
    ['401', { api_error_status: 401 }, undefined, 'auth'],
    ['403', { api_error_status: 403 }, undefined, 'auth'],
    ['authentication_failed', {}, 'authentication_failed', 'auth'],
    ['oauth_org_not_allowed', {}, 'oauth_org_not_allowed', 'auth'],
    ['429', { api_error_status: 429 }, undefined, 'rate_limited'],
    ['rate_limit', { api_error_status: null }, 'rate_limit', 'rate_limited'],
    ['529', { api_error_status: 529 }, undefined, 'overloaded'],
    ['overloaded', {}, 'overloaded', 'overloaded'],
    ['prompt_too_long', { terminal_reason: 'prompt_too_long', api_error_status: 400 }, 'invalid_request', 'context_overflow'],
    ['billing_error', { api_error_status: 400 }, 'billing_error', 'billing'],
    ['404', { api_error_status: 404 }, undefined, 'model_not_found'],
    ['model_not_found', {}, 'model_not_found', 'model_not_found'],
    ['400', { api_error_status: 400 }, undefined, 'invalid_request'],
    ['invalid_request', {}, 'invalid_request', 'invalid_request'],
    ['connection_failed', { api_error: 'connection_failed', api_error_status: null }, undefined, 'network'],
    ['server_error without status', { api_error_status: null }, 'server_error', 'network'],
    ['500', { api_error_status: 500 }, undefined, 'server'],
    ['502 with server_error', { api_error_status: 502 }, 'server_error', 'server'],
    ['nothing known', { api_error_status: null }, undefined, 'unknown'],
    ['418', { api_error_status: 418 }, undefined, 'unknown'],
    // 2.1.2xx names the API's own error type; it counts when the status and error names say nothing.
    ['rate_limit_error type', { api_error_status: null, api_error_type: 'rate_limit_error' }, undefined, 'rate_limited'],
    ['overloaded_error type', { api_error_type: 'overloaded_error' }, undefined, 'overloaded'],
    ['authentication_error type', { api_error_type: 'authentication_error' }, undefined, 'auth'],
    ['api_error type', { api_error_type: 'api_error' }, undefined, 'server'],
    ['a 429 whatever the type says', { api_error_status: 429, api_error_type: 'overloaded_error' }, undefined, 'rate_limited'],
    ['an unknown type', { api_error_type: 'constructor' }, undefined, 'unknown'],
  ];
  for (const [name, over, assistantError, expected] of cases) {
    void it(`${name} -> ${expected}`, () => assert.equal(classifyApiError(apiFailure(over), assistantError), expected));
  }
});
