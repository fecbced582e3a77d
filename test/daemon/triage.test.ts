import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateSessionConfig } from '../../src/charter/schema.js';
import { buildSessionConfig, determinePriority, URGENCY_WORDS } from '../../src/daemon/triage.js';
import type { ResolvedTriageRequest } from '../../src/session/request.js';
import type { SessionPriority } from '../../src/session/types.js';
import { makeConfig } from '../helpers/fixtures.js';

const PRIORITIES: [string | undefined, SessionPriority][] = [
  ...['critical', 'urgent', 'asap', 'emergency', 'p0', 'sev1', 'CRITICAL', ' Asap ', 'P0', 'Sev1'].map((w) => [w, 'critical'] as [string, SessionPriority]),
  ...['high', 'important', 'soon', 'p1', 'sev2', 'HIGH', '\tImportant\n'].map((w) => [w, 'high'] as [string, SessionPriority]),
  ...['normal', 'medium', 'default', 'p2', 'Normal', '', '   ', undefined].map((w) => [w, 'medium'] as [string | undefined, SessionPriority]),
  ...['low', 'whenever', 'someday', 'p3', 'p4', 'LOW', ' someday'].map((w) => [w, 'low'] as [string, SessionPriority]),
  ...['unknown', 'p5', 'sev3', 'very high', 'hi', 'constructor', '__proto__'].map((w) => [w, 'medium'] as [string, SessionPriority]),
];

void describe('determinePriority', () => {
  for (const [urgency, priority] of PRIORITIES) {
    void it(`${JSON.stringify(urgency)} -> ${priority}`, () => {
      assert.equal(determinePriority(urgency === undefined ? {} : { urgency }), priority);
    });
  }

  void it('gives medium for values that are not strings (untyped callers)', () => {
    for (const urgency of [null, 1, true, {}, ['high']]) {
      assert.equal(determinePriority({ urgency } as unknown as { urgency?: string }), 'medium');
    }
  });

  void it('lists every word in URGENCY_WORDS, lower case, mapped as determinePriority maps it', () => {
    assert.equal(URGENCY_WORDS.get('normal'), 'medium');
    for (const [word, priority] of URGENCY_WORDS) {
      assert.equal(word, word.toLowerCase());
      assert.equal(determinePriority({ urgency: word }), priority);
    }
  });
});

function request(overrides: Partial<ResolvedTriageRequest> = {}): ResolvedTriageRequest {
  const { charter } = makeConfig('/tmp/work');
  return {
    task: { id: 'TASK-1', description: 'Add a health endpoint' },
    charter,
    workingDirectory: '/tmp/work',
    ...overrides,
  };
}

void describe('buildSessionConfig', () => {
  void it('builds the minimal config: medium priority, empty memory, no optional fields', () => {
    const input = request();
    const config = buildSessionConfig(input);
    assert.deepEqual(config, {
      workingDirectory: '/tmp/work',
      charter: input.charter,
      taskContext: { taskId: 'TASK-1', description: 'Add a health endpoint', priority: 'medium' },
      memory: { recentActions: [], conversationHistory: [], preferences: {}, projectContext: {} },
    });
    assert.deepEqual(Object.keys(config).sort(), ['charter', 'memory', 'taskContext', 'workingDirectory']);
    assert.equal(validateSessionConfig(config), config);
  });

  void it('carries every field of a full request', () => {
    const input = request({
      requestId: 'req-1',
      task: { id: 'TASK-2', description: 'Fix it', relatedTasks: ['TASK-1'], metadata: { ticket: 7 } },
      urgency: 'ASAP',
      memory: {
        preferences: { testFramework: 'vitest' },
        recentActions: [{ timestamp: '2024-01-01T00:00:00Z', action: 'ran tests', result: 'green' }],
      },
      timeout: 60_000,
      model: 'sonnet',
      maxTurns: 12,
    });
    const config = buildSessionConfig(input);
    assert.deepEqual(config.taskContext, {
      taskId: 'TASK-2',
      description: 'Fix it',
      priority: 'critical',
      relatedTasks: ['TASK-1'],
      metadata: { ticket: 7 },
    });
    assert.deepEqual(config.memory, {
      recentActions: [{ timestamp: '2024-01-01T00:00:00Z', action: 'ran tests', result: 'green' }],
      conversationHistory: [],
      preferences: { testFramework: 'vitest' },
      projectContext: {},
    });
    assert.equal(config.timeout, 60_000);
    assert.equal(config.model, 'sonnet');
    assert.equal(config.maxTurns, 12);
    assert.equal('requestId' in config, false);
    assert.equal(validateSessionConfig(config), config);
  });

  void it('keeps timeout 0 (no limit)', () => {
    assert.equal(buildSessionConfig(request({ timeout: 0 })).timeout, 0);
  });

  void it('does not change the request, and the config shares no lists or maps with it', () => {
    const input = request({
      task: { id: 'T', description: 'd', relatedTasks: ['A'], metadata: { a: 1 } },
      memory: { preferences: { p: 1 }, projectContext: { q: 2 }, conversationHistory: [{ role: 'user', content: 'hi' }] },
    });
    const before = structuredClone(input);
    const config = buildSessionConfig(input);
    assert.deepEqual(input, before);
    config.taskContext.relatedTasks?.push('B');
    config.memory.preferences['p'] = 2;
    config.memory.conversationHistory.length = 0;
    assert.deepEqual(input, before);
  });

  void it('is deterministic', () => {
    const input = request({ urgency: 'p1', memory: { projectContext: { repo: 'x' } } });
    assert.deepEqual(buildSessionConfig(input), buildSessionConfig(input));
    assert.equal(buildSessionConfig(input).taskContext.priority, 'high');
  });
});
