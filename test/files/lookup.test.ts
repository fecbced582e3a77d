// Where a named charter is looked up: --charters, VP_DAEMON_CHARTERS, <task folder>/charters, then parents up to the repository root.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { buildSessionConfig } from '../../src/daemon/triage.js';
import { charterFolders, CHARTERS_ENV, loadTaskFile, resolveCharter, resolveCharterSync } from '../../src/files/load.js';
import { CharterNotFoundError } from '../../src/session/errors.js';
import { charterFileText, tempDir } from '../helpers/fixtures.js';

const TASK = 'task: { id: T-1, description: Do it }\ncharter: eng\nworkingDirectory: .\n';

// root/.git, root/charters, root/proj/charters, root/proj/tasks/charters, root/proj/tasks/t.yaml, root/opt, root/env:
// every place holds a charter `eng` named after its folder.
const PLACES = ['opt', 'env', 'proj/tasks/charters', 'proj/charters', 'charters'];

function tree(t: TestContext, withGit = true): { root: string; task: string; at: (place: string) => string } {
  const dir = tempDir('vp-lookup-');
  t.after(dir.remove);
  const at = (place: string): string => join(dir.path, place);
  if (withGit) mkdirSync(at('.git'));
  for (const place of PLACES) {
    mkdirSync(at(place), { recursive: true });
    writeFileSync(join(at(place), 'eng.yaml'), charterFileText(place.replaceAll('/', '-')));
  }
  const task = at('proj/tasks/t.yaml');
  writeFileSync(task, TASK);
  return { root: dir.path, task, at };
}

let saved: string | undefined;
before(() => {
  saved = process.env[CHARTERS_ENV];
  delete process.env[CHARTERS_ENV];
});
after(() => {
  if (saved === undefined) delete process.env[CHARTERS_ENV];
  else process.env[CHARTERS_ENV] = saved;
});

void describe('charter lookup order', () => {
  void it('tries --charters, VP_DAEMON_CHARTERS, the task folder, then each parent up to the repository root; first hit wins', async (t) => {
    const { task, at } = tree(t);
    process.env[CHARTERS_ENV] = at('env');
    t.after(() => delete process.env[CHARTERS_ENV]);
    assert.deepEqual(charterFolders({ chartersDir: at('opt'), baseDir: dirname(task) }), PLACES.map(at));
    for (const place of PLACES) {
      const request = await loadTaskFile(task, { chartersDir: at('opt') });
      assert.equal(request.charter.identity.name, place.replaceAll('/', '-'));
      rmSync(join(at(place), 'eng.yaml'));
    }
  });

  void it('lists every folder it looked in, in order, in the error and its fields', async (t) => {
    const { task, at } = tree(t);
    writeFileSync(join(at('proj/charters'), 'other.json'), '{}');
    process.env[CHARTERS_ENV] = at('nowhere');
    t.after(() => delete process.env[CHARTERS_ENV]);
    writeFileSync(task, TASK.replace('eng', 'missing'));
    const error = await loadTaskFile(task, { chartersDir: at('opt') }).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof CharterNotFoundError);
    const searched = [at('opt'), at('nowhere'), at('proj/tasks/charters'), at('proj/charters'), at('charters')];
    assert.deepEqual([error.code, error.charterName, error.searched, error.chartersDir], ['ERR_CHARTER_NOT_FOUND', 'missing', searched, at('opt')]);
    assert.deepEqual(error.available, ['eng', 'other']);
    assert.deepEqual([error.file, error.line, error.column, error.field], [task, 2, 10, 'charter']);
    const listed = searched.map((dir) => error.message.indexOf(`${dir} (`));
    assert.ok(listed.every((i, n) => i > 0 && (n === 0 || i > (listed[n - 1] ?? 0))), error.message);
    assert.match(error.message, /nowhere \(no such folder\)/);
    assert.match(error.message, /proj\/charters \(holds eng, other\)/);
  });

  void it('stops at the repository root, and goes up to / outside a repository', (t) => {
    const { root, task } = tree(t);
    assert.equal(charterFolders({ baseDir: dirname(task) }).at(-1), join(root, 'charters'));
    const repo = join(root, 'proj');
    mkdirSync(join(repo, '.git'));
    assert.deepEqual(charterFolders({ baseDir: dirname(task) }), [join(repo, 'tasks', 'charters'), join(repo, 'charters')]);
    const loose = tree(t, false);
    assert.equal(charterFolders({ baseDir: dirname(loose.task) }).at(-1), '/charters');
  });

  void it('resolveCharter: a folder is the only place; lookup options give the whole order, async and sync alike', async (t) => {
    const { task, at } = tree(t);
    assert.equal((await resolveCharter('eng', at('proj/charters'))).identity.name, 'proj-charters');
    const error = await resolveCharter('eng', at('opt/none')).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof CharterNotFoundError);
    assert.deepEqual(error.searched, [at('opt/none')]);
    assert.equal((await resolveCharter('eng', { baseDir: dirname(task) })).identity.name, 'proj-tasks-charters');
    assert.equal(resolveCharterSync('eng', { baseDir: at('proj') }).identity.name, 'proj-charters');
    assert.equal(resolveCharterSync('eng', { chartersDir: at('opt'), baseDir: at('proj') }).identity.name, 'opt');
  });
});

void describe('buildSessionConfig with a named charter', () => {
  const request = (charterName: string, workingDirectory = '/tmp') => ({ task: { id: 'T-9', description: 'Named' }, charter: charterName, workingDirectory, urgency: 'asap' });

  void it('reads it synchronously with the same order, from baseDir (default: the current folder)', (t) => {
    const { at } = tree(t);
    const config = buildSessionConfig(request('eng'), { baseDir: at('proj/tasks') });
    assert.equal(config.charter.identity.name, 'proj-tasks-charters');
    assert.deepEqual(config.taskContext, { taskId: 'T-9', description: 'Named', priority: 'critical' });
    assert.equal(buildSessionConfig(request('eng'), { chartersDir: at('opt'), baseDir: at('proj') }).charter.identity.name, 'opt');
    // From the repository's root the examples' charters are one folder down: examples/charters.
    assert.equal(buildSessionConfig(request('backend-engineer'), { baseDir: 'examples' }).charter.identity.name, 'Backend VP');
  });

  void it('refuses a name no folder holds with a CharterNotFoundError that lists the folders', (t) => {
    const { at } = tree(t);
    const refused = (fn: () => unknown): CharterNotFoundError => {
      try {
        fn();
      } catch (error) {
        assert.ok(error instanceof CharterNotFoundError, String(error));
        return error;
      }
      assert.fail('expected a CharterNotFoundError');
    };
    const error = refused(() => buildSessionConfig(request('nope'), { baseDir: at('proj') }));
    assert.deepEqual(error.searched, [at('proj/charters'), at('charters')]);
    assert.equal(error.field, 'charter');
    assert.match(error.message, /no such charter; looked in, in order: /);
    // The default base is the current folder, the repository root here: its charters/ folder and no further.
    assert.deepEqual(refused(() => buildSessionConfig(request('backend-engineer'))).searched, [join(process.cwd(), 'charters')]);
  });
});
