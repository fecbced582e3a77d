import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { ClaudeSessionConfig } from '../../src/index.js';

export const silentLogger = pino({ level: 'silent' });

/** A fresh temporary folder; call `remove` in cleanup. */
export function tempDir(prefix = 'vp-test-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A valid session config for tests; override what matters. */
export function makeConfig(workingDirectory: string, overrides: Partial<ClaudeSessionConfig> = {}): ClaudeSessionConfig {
  return {
    workingDirectory,
    charter: {
      identity: { name: 'Test VP', email: 'vp@example.com', role: 'Software Engineer' },
      objectives: ['Complete the test task'],
      constraints: { forbiddenCommands: ['rm -rf'], forbiddenPatterns: [/force.*push/i], requiredApprovals: ['deploy'] },
      resources: { maxTokens: 100_000, maxExecutionTime: 120_000, allowedTools: ['read', 'write', 'bash'] },
    },
    taskContext: { taskId: 'TEST-1', description: 'A test task', priority: 'medium' },
    memory: { recentActions: [], conversationHistory: [], preferences: {}, projectContext: {} },
    ...overrides,
  };
}

/** Polls until `check` is true or `timeoutMs` passes. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** True while a process exists (zombies count as gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = require_stat(pid);
    return !stat.includes(') Z ');
  } catch {
    return false;
  }
}

import { readFileSync } from 'node:fs';
const require_stat = (pid: number): string => readFileSync(`/proc/${pid}/stat`, 'utf8');

/** A minimal charter file (YAML) whose identity is called `name`: read-only tools, no rules. */
export const charterFileText = (name = 'VP'): string =>
  `identity: { name: ${name}, email: vp@example.com, role: Engineer }\nobjectives: [Ship]\nconstraints: { forbiddenCommands: [], forbiddenPatterns: [], requiredApprovals: [] }\nresources: { maxTokens: 1000, maxExecutionTime: 60000, allowedTools: [read] }\n`;
