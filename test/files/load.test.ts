import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { validateSessionConfig } from '../../src/charter/schema.js';
import { buildSessionConfig } from '../../src/daemon/triage.js';
import { CharterNotFoundError, TaskFileError } from '../../src/session/errors.js';
import { loadCharterFile, loadTaskFile, resolveCharter } from '../../src/files/load.js';
import { makeConfig, tempDir } from '../helpers/fixtures.js';

const CHARTER = `identity:
  name: Test VP
  email: vp@example.com
  role: Engineer
objectives: [Ship it]
constraints:
  forbiddenCommands: [rm -rf]
  forbiddenPatterns: ['/deploy.*production/i', '/x/']
  requiredApprovals: [deploy]
resources:
  maxTokens: 1000
  maxExecutionTime: 60000
  allowedTools: [read, bash]
`;
const TASK = `task:
  id: T-1
  description: Do it
charter: base
workingDirectory: repo
urgency: high
`;
const indent = (text: string): string => text.replace(/^(?=.)/gm, '  ');
const INLINE = TASK.replace('charter: base\n', `charter:\n${indent(CHARTER)}`);
const CHARTER_JSON = JSON.stringify({ ...makeConfig('/x').charter, constraints: { forbiddenCommands: [], forbiddenPatterns: ['/a+b/gi'], requiredApprovals: [] } }, null, 2);

/**
 * Writes `files` (path -> text) in a fresh temp folder removed after the test, with an empty `repo/` folder.
 * The folder holds `.git`, so the charter lookup stops there.
 */
function setup(t: TestContext, files: Record<string, string>): string {
  const dir = tempDir('vp-files-');
  t.after(dir.remove);
  mkdirSync(join(dir.path, 'repo'));
  mkdirSync(join(dir.path, '.git'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir.path, path)), { recursive: true });
    writeFileSync(join(dir.path, path), text);
  }
  return dir.path;
}

/** The 1-based line and column where `needle` first occurs in `text`. */
function pos(text: string, needle: string): { line: number; column: number } {
  const offset = text.indexOf(needle);
  assert.ok(offset >= 0, `${needle} not in the text`);
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

void describe('loadTaskFile: valid files', () => {
  void it('loads a YAML task with a named charter from charters/ next to it, workingDirectory relative to the file', async (t) => {
    const dir = setup(t, { 'tasks/t.yaml': TASK.replace('repo', '../repo'), 'tasks/charters/base.yaml': CHARTER });
    const request = await loadTaskFile(join(dir, 'tasks/t.yaml'));
    assert.equal(request.workingDirectory, join(dir, 'repo'));
    assert.deepEqual(request.task, { id: 'T-1', description: 'Do it' });
    assert.equal(request.urgency, 'high');
    assert.deepEqual(request.charter.constraints.forbiddenPatterns, [/deploy.*production/i, /x/]);
    assert.equal(request.charter.constraints.forbiddenPatterns[0]?.flags, 'i');
    assert.deepEqual(Object.keys(request).sort(), ['charter', 'task', 'urgency', 'workingDirectory']);
    const config = buildSessionConfig(request);
    assert.equal(config.taskContext.priority, 'high');
    assert.equal(validateSessionConfig(config), config);
  });

  void it('loads an inline charter and every optional field', async (t) => {
    const text = `${INLINE}requestId: r-1\ntimeout: 1800000\nmodel: sonnet\nmaxTurns: 5\nmemory: { preferences: { testFramework: vitest } }\n`;
    const dir = setup(t, { 't.yml': text });
    const request = await loadTaskFile(join(dir, 't.yml'));
    assert.equal(request.workingDirectory, join(dir, 'repo'));
    assert.equal(request.charter.identity.name, 'Test VP');
    assert.deepEqual(request.memory, { preferences: { testFramework: 'vitest' } });
    assert.deepEqual([request.requestId, request.timeout, request.model, request.maxTurns], ['r-1', 1_800_000, 'sonnet', 5]);
  });

  void it('loads JSON task and charter files, with a chartersDir option', async (t) => {
    const task = { task: { id: 'J-1', description: 'From JSON', relatedTasks: ['J-0'] }, charter: 'json-one', workingDirectory: 'repo' };
    const dir = setup(t, { 'task.json': JSON.stringify(task, null, 2), 'lib/json-one.json': CHARTER_JSON });
    const request = await loadTaskFile(join(dir, 'task.json'), { chartersDir: join(dir, 'lib') });
    assert.deepEqual(request.task.relatedTasks, ['J-0']);
    assert.deepEqual(request.charter.constraints.forbiddenPatterns, [/a+b/gi]);
    assert.equal(request.charter.constraints.forbiddenPatterns[0]?.flags, 'gi');
  });

  void it('keeps an absolute workingDirectory; a charter name may carry its extension', async (t) => {
    const dir = setup(t, { 't.yaml': '', 'charters/base.yml': CHARTER });
    writeFileSync(join(dir, 't.yaml'), TASK.replace('base', 'base.yml').replace('repo', join(dir, 'repo')));
    assert.equal((await loadTaskFile(join(dir, 't.yaml'))).workingDirectory, join(dir, 'repo'));
  });
});

void describe('loadCharterFile and resolveCharter', () => {
  void it('loads YAML and JSON charters', async (t) => {
    const dir = setup(t, { 'a.yaml': CHARTER, 'b.json': CHARTER_JSON });
    assert.equal((await loadCharterFile(join(dir, 'a.yaml'))).resources.maxTokens, 1000);
    assert.deepEqual((await loadCharterFile(join(dir, 'b.json'))).resources, makeConfig('/x').charter.resources);
  });

  void it('accepts a cost budget in a charter file and in a task file\'s inline charter', async (t) => {
    const withCost = CHARTER.replace('  maxTokens: 1000\n', '  maxTokens: 1000\n  maxCostUsd: 2.5\n');
    const dir = setup(t, { 'a.yaml': withCost, 't.yaml': INLINE.replace('maxTokens: 1000\n', 'maxTokens: 1000\n    maxCostUsd: 0.75\n') });
    assert.equal((await loadCharterFile(join(dir, 'a.yaml'))).resources.maxCostUsd, 2.5);
    const request = await loadTaskFile(join(dir, 't.yaml'));
    assert.equal(buildSessionConfig(request).charter.resources.maxCostUsd, 0.75);
    const bad = setup(t, { 'b.yaml': withCost.replace('maxCostUsd: 2.5', 'maxCostUsd: -1') });
    await assert.rejects(loadCharterFile(join(bad, 'b.yaml')), /charter\.resources\.maxCostUsd|resources\.maxCostUsd/);
  });

  void it('resolves names (.yaml, .yml, .json) and returns charter objects as they are', async (t) => {
    const dir = setup(t, { 'a.yaml': CHARTER, 'b.json': CHARTER_JSON, 'c.yml': CHARTER, 'notes.txt': 'x' });
    for (const name of ['a', 'b', 'c', 'b.json']) assert.equal((await resolveCharter(name, dir)).identity.role.length > 0, true);
    const charter = makeConfig('/x').charter;
    assert.equal(await resolveCharter(charter, dir), charter);
    const error = await resolveCharter('zzz', dir).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof CharterNotFoundError);
    assert.deepEqual([error.code, error.available, error.charterName, error.searched], ['ERR_CHARTER_NOT_FOUND', ['a', 'b', 'c'], 'zzz', [dir]]);
    assert.match(error.message, /looked in, in order: .* \(holds a, b, c\)/);
  });

  void it('loads every example file', async () => {
    const examples = resolve('examples');
    for (const name of readdirSync(join(examples, 'charters'))) {
      assert.ok((await loadCharterFile(join(examples, 'charters', name))).objectives.length > 0, name);
    }
    const tasks = readdirSync(join(examples, 'tasks'));
    assert.ok(tasks.length >= 2);
    for (const name of tasks) {
      // The examples keep charters in examples/charters: the lookup finds them in the task folder's parent.
      const request = await loadTaskFile(join(examples, 'tasks', name));
      assert.equal(request.charter.identity.email.endsWith('@example.com'), true, name);
      assert.equal(request.workingDirectory, examples, name);
      validateSessionConfig(buildSessionConfig(request));
    }
  });
});

interface Bad {
  name: string;
  /** Files to write; the first is loaded (a task file unless its name starts with `charter`). */
  files: Record<string, string>;
  code?: string;
  /** The file the error names, when not the loaded one. */
  file?: string;
  at?: { line: number; column: number };
  field?: string;
  value?: unknown;
  message?: RegExp;
}

const task = (from: string, to: string): string => {
  assert.ok(TASK.includes(from) || from === '');
  return TASK.replace(from, to);
};
const charter = (from: string, to: string): string => CHARTER.replace(from, to);
const TOKENS = 'maxTokens: 1000';
const inline = (from: string, to: string): string => INLINE.replace(from, to);
const withBase = (files: Record<string, string>): Record<string, string> => ({ ...files, 'charters/base.yaml': CHARTER });

const BAD: Bad[] = [
  { name: 'missing file', files: {}, code: 'ERR_TASK_FILE_NOT_FOUND', message: /t\.yaml: file not found$/ },
  { name: 'not YAML or JSON', files: { 't.txt': TASK }, message: /unsupported file type/ },
  { name: 'duplicate key', files: { 't.yaml': task('  description: Do it\n', '  description: a\n  id: T-2\n') }, at: { line: 4, column: 3 }, message: /invalid YAML: Map keys must be unique/ },
  { name: 'bad indentation', files: { 't.yaml': task('urgency: high', 'urgency: high\n  x: 1') }, at: { line: 6, column: 10 }, message: /invalid YAML/ },
  { name: 'invalid JSON', files: { 't.json': '{\n  "task": {\n    "id": "x",\n  "charter": "a"\n' }, at: { line: 5, column: 1 }, message: /invalid JSON/ },
  { name: 'empty file', files: { 't.yaml': '' }, at: { line: 1, column: 1 }, message: /t\.yaml:1:1: must be a map \(got null\)/ },
  { name: 'a list', files: { 't.yaml': '# a list\n- a\n- b\n' }, at: { line: 2, column: 1 }, value: ['a', 'b'] },
  { name: 'wrong type', files: withBase({ 't.yaml': `${TASK}timeout: soon\n` }), at: { line: 7, column: 10 }, field: 'timeout', value: 'soon', message: /timeout: must be a number \(got "soon"\)/ },
  { name: 'number id', files: withBase({ 't.yaml': task('T-1', '123') }), at: { line: 2, column: 7 }, field: 'task.id', value: 123, message: /must be a string/ },
  { name: 'missing field', files: withBase({ 't.yaml': task('  description: Do it\n', '') }), at: { line: 1, column: 1 }, field: 'task.description', message: /task\.description: is required$/ },
  { name: 'missing top-level', files: withBase({ 't.yaml': `# c\n${task('workingDirectory: repo\n', '')}` }), at: { line: 2, column: 1 }, field: 'workingDirectory' },
  { name: 'unknown key', files: withBase({ 't.yaml': task('urgency: high', 'priority: high') }), at: { line: 6, column: 1 }, field: 'priority', value: 'high', message: /is not a known field/ },
  { name: 'inline maxTokens', files: { 't.yaml': inline('maxTokens: 1000', 'maxTokens: -5') }, at: pos(inline('maxTokens: 1000', 'maxTokens: -5'), '-5'), field: 'charter.resources.maxTokens', message: /charter\.resources\.maxTokens: must be a positive integer \(got -5\)/ },
  { name: 'inline unknown key', files: { 't.yaml': inline(TOKENS, `${TOKENS}\n    maxToken: 1`) }, at: pos(inline(TOKENS, `${TOKENS}\n    maxToken: 1`), 'maxToken:'), field: 'charter.resources.maxToken', value: 1 },
  { name: 'charter of wrong type', files: { 't.yaml': task('charter: base', 'charter: 5') }, at: { line: 4, column: 10 }, field: 'charter', value: 5 },
  { name: 'charter path', files: { 't.yaml': task('charter: base', 'charter: ../base') }, at: { line: 4, column: 10 }, field: 'charter', message: /not a path/ },
  { name: 'unknown charter', files: withBase({ 't.yaml': task('charter: base', 'charter: nope'), 'charters/other.json': '{}' }), code: 'ERR_CHARTER_NOT_FOUND', at: { line: 4, column: 10 }, field: 'charter', value: 'nope', message: /looked in, in order: \S+\/charters \(holds base, other\) \(got "nope"\)$/ },
  { name: 'no charters folder', files: { 't.yaml': TASK }, code: 'ERR_CHARTER_NOT_FOUND', at: { line: 4, column: 10 }, message: /looked in, in order: \S+\/charters \(no such folder\) \(got "base"\)$/ },
  { name: 'workingDirectory missing', files: withBase({ 't.yaml': task('repo', './nope') }), code: 'ERR_WORKDIR_NOT_FOUND', at: { line: 5, column: 19 }, field: 'workingDirectory', value: './nope' },
  { name: 'workingDirectory a file', files: withBase({ 't.yaml': task('repo', 't.yaml') }), code: 'ERR_WORKDIR_NOT_FOUND', at: { line: 5, column: 19 } },
  { name: 'pattern without slashes', files: { 'charter.yaml': charter("'/x/'", 'deploy') }, at: { line: 8, column: 48 }, field: 'constraints.forbiddenPatterns.1', value: 'deploy', message: /'\/regex\/flags'/ },
  { name: 'invalid regex', files: { 'charter.yaml': charter("'/x/'", "'/a(/'") }, at: { line: 8, column: 48 }, field: 'constraints.forbiddenPatterns.1', message: /not a valid regular expression/ },
  { name: 'invalid flags', files: { 'charter.yaml': charter("'/x/'", "'/x/q'") }, at: { line: 8, column: 48 }, message: /not a valid regular expression.*flags/i },
  { name: 'empty pattern', files: { 'charter.yaml': charter("'/x/'", "'//'") }, at: { line: 8, column: 48 }, message: /empty pattern/ },
  { name: 'bad named charter', files: { 't.yaml': TASK, 'charters/base.yaml': charter('bash]', 'shell]') }, file: 'charters/base.yaml', at: { line: 13, column: 24 }, field: 'resources.allowedTools.1', value: 'shell' },
  { name: 'several problems, first in the file first', files: { 'charter.yaml': charter('maxTokens: 1000', 'maxTokens: 0').replace('name: Test VP', 'name: ""') }, at: { line: 2, column: 9 }, field: 'identity.name', message: /\(and 1 more\)$/ },
];

void describe('loadTaskFile and loadCharterFile: bad files', () => {
  for (const bad of BAD) {
    void it(bad.name, async (t) => {
      const dir = setup(t, bad.files);
      const first = Object.keys(bad.files)[0] ?? 't.yaml';
      const path = join(dir, first);
      const error = await (first.startsWith('charter') ? loadCharterFile(path) : loadTaskFile(path)).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof TaskFileError, `expected a TaskFileError, got ${String(error)}`);
      assert.equal(error.code, bad.code ?? 'ERR_TASK_FILE');
      const file = bad.file === undefined ? path : join(dir, bad.file);
      assert.equal(error.file, file);
      assert.deepEqual({ line: error.line, column: error.column }, bad.at ?? { line: undefined, column: undefined });
      if (bad.at !== undefined) assert.ok(error.message.startsWith(`${file}:${bad.at.line}:${bad.at.column}: `), error.message);
      else assert.ok(error.message.startsWith(`${file}: `), error.message);
      if (bad.field !== undefined) assert.equal(error.field, bad.field);
      if ('value' in bad) assert.deepEqual(error.value, bad.value);
      if (bad.message !== undefined) assert.match(error.message, bad.message);
      assert.ok(error.issues.length >= 1);
    });
  }
});
