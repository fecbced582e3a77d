import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeCrash } from '../../src/recovery/classify.js';
import { type CrashAnalysis, type CrashClass } from '../../src/session/crash.js';
import { DEFAULT_RATE_LIMIT_WAIT_MS, recoveryPolicy } from '../../src/recovery/policy.js';
import type { SessionEvidence } from '../../src/session/types.js';
import { makeStatus } from './status.js';

const NOW = Date.parse('2025-06-01T12:00:00.000Z');

const analysis = (crashClass: CrashClass): CrashAnalysis => ({
  crashType: 'unknown',
  crashClass,
  confidence: 0.9,
  rootCause: 'test',
  recommendation: 'test',
  suggestedFixes: [],
  evidence: [],
});

const crashed = (evidence: Partial<SessionEvidence> = {}) => makeStatus({ state: 'crashed', outcome: { reason: 'exit:1' }, evidence });

const RETRY: CrashClass[] = [
  'network', 'overloaded', 'server_error', 'segfault', 'oom', 'killed', 'signal', 'exit',
  'timeout_wall', 'timeout_startup', 'timeout_idle', 'execution_error', 'unknown',
];
const NEVER: CrashClass[] = ['auth', 'billing', 'permission', 'budget', 'max_turns', 'invalid_request'];

void describe('recoveryPolicy', () => {
  for (const crashClass of RETRY) {
    void it(`${crashClass}: retry, resuming only an initialized conversation`, () => {
      const resumed = recoveryPolicy(analysis(crashClass), crashed({ initialized: true }), NOW);
      assert.deepEqual({ action: resumed.action, resume: resumed.resume, waitUntilMs: resumed.waitUntilMs }, { action: 'retry', resume: true, waitUntilMs: undefined });
      assert.match(resumed.reason, new RegExp(`^${crashClass}: `));
      const fresh = recoveryPolicy(analysis(crashClass), crashed({ initialized: false }), NOW);
      assert.equal(fresh.action, 'retry');
      assert.equal(fresh.resume, false);
      assert.match(fresh.reason, /never initialized/);
    });
  }

  for (const crashClass of NEVER) {
    void it(`${crashClass}: never`, () => {
      const decision = recoveryPolicy(analysis(crashClass), makeStatus({ state: 'failed', outcome: { reason: 'api_error:x' } }), NOW);
      assert.equal(decision.action, 'never');
      assert.equal(decision.waitUntilMs, undefined);
      assert.match(decision.reason, new RegExp(`^${crashClass}: `));
    });
  }

  for (const crashClass of ['context_overflow', 'resume_missing'] as const) {
    void it(`${crashClass}: retry in a new conversation even when initialized`, () => {
      const decision = recoveryPolicy(analysis(crashClass), crashed({ initialized: true }), NOW);
      assert.equal(decision.action, 'retry');
      assert.equal(decision.resume, false);
      assert.match(decision.reason, /new conversation/);
    });
  }

  void it('evidence without `initialized` (no evidence at all) does not resume', () => {
    const decision = recoveryPolicy(analysis('network'), makeStatus({ state: 'crashed', evidence: null }), NOW);
    assert.equal(decision.resume, false);
  });

  void describe('rate_limited waits', () => {
    const wait = (evidence: Partial<SessionEvidence>) => recoveryPolicy(analysis('rate_limited'), makeStatus({ state: 'failed', evidence }), NOW);

    void it('until the reported reset when it is in the future', () => {
      const decision = wait({ rateLimitResetsAtMs: NOW + 3_600_000, lastApiRetry: { retryDelayMs: 1000 } });
      assert.equal(decision.action, 'wait');
      assert.equal(decision.waitUntilMs, NOW + 3_600_000);
      assert.equal(decision.resume, true);
      assert.match(decision.reason, /rate-limit reset/);
    });

    void it("for the CLI's last retry delay when the reset is past or missing", () => {
      assert.equal(wait({ rateLimitResetsAtMs: NOW - 1, lastApiRetry: { retryDelayMs: 1019 } }).waitUntilMs, NOW + 1019);
      assert.equal(wait({ lastApiRetry: { retryDelayMs: 530.55 } }).waitUntilMs, NOW + 531);
    });

    void it('for 60 s by default', () => {
      assert.equal(DEFAULT_RATE_LIMIT_WAIT_MS, 60_000);
      const decision = wait({ rateLimitResetsAtMs: NOW, lastApiRetry: { attempt: 3 } });
      assert.equal(decision.waitUntilMs, NOW + 60_000);
      assert.match(decision.reason, /the default wait \(60000 ms\)/);
    });

    void it('from a real 429 status, end to end', () => {
      const status = makeStatus({
        state: 'failed',
        exitCode: 1,
        outcome: { reason: 'api_error:rate_limited' },
        evidence: { resultSubtype: 'success', isError: true, apiErrorStatus: 429, assistantError: 'rate_limit', lastApiRetry: { errorStatus: 429, retryDelayMs: 2000 } },
      });
      const decision = recoveryPolicy(analyzeCrash(status), status, NOW);
      assert.deepEqual({ action: decision.action, waitUntilMs: decision.waitUntilMs }, { action: 'wait', waitUntilMs: NOW + 2000 });
    });
  });

  void describe('sessions that did not crash are never retried', () => {
    for (const [state, reason] of [['completed', 'completed'], ['terminated', 'terminated'], ['failed', 'budget:tokens'], ['failed', 'budget:cost']] as const) {
      void it(`${state} (${reason})`, () => {
        const status = makeStatus({ state, outcome: { reason } });
        const decision = recoveryPolicy(analyzeCrash(status), status, NOW);
        assert.equal(decision.action, 'never');
        assert.match(decision.reason, /^not a crash/);
      });
    }
  });
});
