import type { ClaudeSessionConfig, MemoryContext, VPCharter } from '../session/types.js';
import { bullets, code, inline, plain, quote } from './markdown.js';

const section = (title: string, body: string): string => `## ${title}\n\n${body}`;
const sub = (title: string, body: string): string => `### ${title}\n\n${body}`;

const entries = (record: Record<string, unknown>): string[] =>
  Object.entries(record).map(([key, value]) => `${inline(key)}: ${plain(value)}`);

// The sections that describe one task: its text, related tasks. Per request.
function taskSections(config: ClaudeSessionConfig): string[] {
  const task = config.taskContext;
  const firstLine = task.description.split(/\r?\n/).find((l) => l.trim() !== '') ?? task.taskId;
  return [
    `# Task: ${inline(firstLine)}`,
    `# Priority: ${inline(task.priority)}`,
    section('Task', [`- Task ID: ${inline(task.taskId)}`, '', quote(task.description)].join('\n')),
    section('Related Tasks', bullets((task.relatedTasks ?? []).map(inline))),
  ];
}

// The sections of the charter itself: identity, objectives, constraints, limits.
function ruleSections(charter: VPCharter): string[] {
  const { constraints, resources } = charter;
  return [
    section('VP Identity', bullets([`Name: ${inline(charter.identity.name)}`, `Email: ${inline(charter.identity.email)}`, `Role: ${inline(charter.identity.role)}`])),
    section('Objectives', bullets(charter.objectives.map(inline))),
    section(
      'Constraints',
      [
        sub('Forbidden Commands', bullets(constraints.forbiddenCommands.map(code))),
        sub('Forbidden Patterns', bullets(constraints.forbiddenPatterns.map((p) => code(String(p))))),
        sub('Required Approvals', bullets(constraints.requiredApprovals.map(code))),
      ].join('\n\n'),
    ),
    section(
      'Resource Limits',
      bullets([
        `Max Tokens: ${resources.maxTokens}`,
        ...(resources.maxCostUsd === undefined ? [] : [`Max Cost: ${resources.maxCostUsd} USD`]),
        `Max Execution Time: ${resources.maxExecutionTime}ms`,
        `Allowed Tools: ${resources.allowedTools.map(inline).join(', ') || '(none)'}`,
      ]),
    ),
  ];
}

function memorySection(memory: MemoryContext): string {
  return section(
    'Memory Context',
    [
      sub('Recent Actions', bullets(memory.recentActions.map((a) => `[${inline(toIso(a.timestamp))}] ${inline(a.action)}: ${inline(a.result)}`))),
      sub('Preferences', bullets(entries(memory.preferences))),
      sub('Project Context', bullets(entries(memory.projectContext))),
    ].join('\n\n'),
  );
}

const ENFORCEMENT = section(
  'Enforcement',
  'These rules are enforced by the supervisor that runs this session, not only described here: ' +
    'forbidden commands are refused, required approvals wait for a person, and the session is stopped at its limits.',
);

/**
 * Renders the session's CLAUDE.md from its charter, task and memory. Pure: same input, same text.
 * Every user-supplied value is escaped (see markdown.ts), so only this template makes headings.
 */
export function renderCharter(sessionId: string, config: ClaudeSessionConfig): string {
  const [title, priority, ...task] = taskSections(config);
  const parts = [`# Session: ${inline(sessionId)}`, title, priority, ...task, ...ruleSections(config.charter), memorySection(config.memory), ENFORCEMENT];
  return `${parts.join('\n\n')}\n`;
}

/** The charter without any task: what a pre-started (warm) session is launched with. */
export function renderCharterRules(sessionId: string, charter: VPCharter): string {
  return `${[`# Session: ${inline(sessionId)}`, ...ruleSections(charter), ENFORCEMENT].join('\n\n')}\n`;
}

/** The task and memory sections, sent as the first message of a warm session. */
export function renderTaskBrief(config: ClaudeSessionConfig): string {
  return `${[...taskSections(config), memorySection(config.memory)].join('\n\n')}\n`;
}

const toIso = (t: Date | string): string => (t instanceof Date ? t.toISOString() : t);
