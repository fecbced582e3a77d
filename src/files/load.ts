/**
 * Loading task and charter files (YAML `.yaml`/`.yml` or JSON `.json`).
 *
 * Every problem is thrown as a {@link TaskFileError} naming the file, the 1-based line and column, the dotted
 * field and the value, e.g. `tasks/fix.yaml:7:3: charter.resources.maxTokens: must be a positive integer (got -5)`.
 */
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { charterSchema } from '../charter/schema.js';
import type { ResolvedTriageRequest } from '../session/request.js';
import { ErrorCodes, TaskFileError } from '../session/errors.js';
import type { VPCharter } from '../session/types.js';
import { validate } from '../utils/validate.js';
import { charterFolders, findCharterFile, type CharterLookupOptions, type NameSite } from './lookup.js';
import { byPosition, charterFileSchema, check, taskFileSchema } from './schema.js';
import { readSource, readSourceSync, type SourceFile } from './source.js';

export { FILE_EXTENSIONS } from './source.js';
export { CHARTERS_ENV, charterFolders, type CharterLookupOptions } from './lookup.js';

/** Options of {@link loadTaskFile}. */
export interface LoadTaskFileOptions {
  /**
   * Looked in first for a charter the task names (the `--charters` option). Then come `VP_DAEMON_CHARTERS`,
   * `<task folder>/charters`, and a `charters` folder in each parent folder up to the repository root.
   */
  chartersDir?: string;
}

/**
 * Reads a charter file. `constraints.forbiddenPatterns` are written as `'/regex/flags'` strings and returned
 * as RegExp; unknown keys are errors. Fields are checked by the same rules as a session's charter.
 * @throws {TaskFileError} `ERR_TASK_FILE_NOT_FOUND` when the file is missing, `ERR_TASK_FILE` when it is invalid.
 */
export async function loadCharterFile(path: string): Promise<VPCharter> {
  return charterOf(await readSource(path));
}

/** {@link loadCharterFile}, synchronously. */
export function loadCharterFileSync(path: string): VPCharter {
  return charterOf(readSourceSync(path));
}

function charterOf(source: SourceFile): VPCharter {
  const result = check(charterFileSchema, source);
  if (!result.ok) throw new TaskFileError(source.file, result.issues.sort(byPosition));
  return result.value;
}

/**
 * Returns the charter itself when given an object (checked with the charter schema; throws a `ConfigError`),
 * or loads the charter file of that name: `<name>.yaml`, `<name>.yml` or `<name>.json`, the first that exists
 * in that order (a name that ends in one of those extensions names the file exactly). Given a folder, only that
 * folder is looked in; given {@link CharterLookupOptions}, the folders of {@link charterFolders}, in order.
 * @throws {CharterNotFoundError} `ERR_CHARTER_NOT_FOUND` when there is no such file; `searched` lists the
 * folders looked in, `available` the names they hold.
 * @throws {TaskFileError} when the name is not a plain name or the charter file is invalid.
 */
export async function resolveCharter(nameOrCharter: string | VPCharter, where: string | CharterLookupOptions): Promise<VPCharter> {
  if (typeof nameOrCharter !== 'string') return checked(nameOrCharter);
  const [folders, site] = lookup(where);
  return loadCharterFile(findCharterFile(nameOrCharter, folders, site));
}

/** {@link resolveCharter}, synchronously (for `buildSessionConfig`). */
export function resolveCharterSync(nameOrCharter: string | VPCharter, where: string | CharterLookupOptions): VPCharter {
  if (typeof nameOrCharter !== 'string') return checked(nameOrCharter);
  const [folders, site] = lookup(where);
  return loadCharterFileSync(findCharterFile(nameOrCharter, folders, site));
}

function checked(charter: VPCharter): VPCharter {
  validate(charterSchema, charter);
  return charter; // the caller's object, RegExp instances intact
}

// The folders to look in, and what errors name as the place of the name: the folder, or the base folder.
function lookup(where: string | CharterLookupOptions): [string[], NameSite] {
  if (typeof where === 'string') return [[resolve(where)], { file: where }];
  return [charterFolders(where), { file: resolve(where.baseDir ?? process.cwd()), field: 'charter' }];
}

/**
 * Reads a task file and resolves it into a request the daemon can run:
 *
 * - `task` (`id`, `description`, optional `relatedTasks`, `metadata`), optional `requestId`, `urgency`,
 *   `memory`, `timeout` (ms), `model`, `maxTurns`; any other top-level key is an error;
 * - `charter`: a charter map (as in a charter file) or the name of a charter file, looked up in order in
 *   `chartersDir`, `VP_DAEMON_CHARTERS`, `<task folder>/charters`, then a `charters` folder in each parent
 *   folder up to the repository root (see {@link charterFolders}); the first hit wins;
 * - `workingDirectory`: relative to the task file's folder (absolute paths are kept); returned absolute, and
 *   it must be an existing folder.
 *
 * @throws {TaskFileError} `ERR_TASK_FILE_NOT_FOUND`, `ERR_TASK_FILE` (invalid content, with every problem in
 * `issues`), `ERR_WORKDIR_NOT_FOUND`, or {@link CharterNotFoundError} `ERR_CHARTER_NOT_FOUND`.
 */
export async function loadTaskFile(path: string, options: LoadTaskFileOptions = {}): Promise<ResolvedTriageRequest> {
  const source = await readSource(path);
  const result = check(taskFileSchema, source);
  const issues = result.ok ? [] : [...result.issues];
  const written = valueOf(source.data, 'charter');
  let inline: VPCharter | undefined;
  if (isMap(written)) {
    const charter = check(charterFileSchema, source, ['charter']);
    if (charter.ok) inline = charter.value;
    else issues.push(...charter.issues);
  } else if (written !== undefined && typeof written !== 'string') {
    issues.push({ ...source.at(['charter']), field: 'charter', message: 'must be a charter name or a charter map', value: written });
  }
  if (!result.ok || issues.length > 0) throw new TaskFileError(path, issues.sort(byPosition));
  const request = result.value;
  const workingDirectory = resolve(dirname(path), request.workingDirectory);
  if (!(await isFolder(workingDirectory))) {
    const issue = { ...source.at(['workingDirectory']), field: 'workingDirectory', value: request.workingDirectory };
    throw new TaskFileError(path, [{ ...issue, message: `must be an existing folder (resolved to ${workingDirectory})` }], ErrorCodes.WORKDIR_NOT_FOUND);
  }
  const folders = charterFolders({ chartersDir: options.chartersDir, baseDir: dirname(path) });
  const site = { file: path, field: 'charter', ...source.at(['charter']) };
  const charter = inline ?? (await loadCharterFile(findCharterFile(written as string, folders, site)));
  return { ...request, charter, workingDirectory }; // `charter` replaces the written one
}

const isMap = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const valueOf = (data: unknown, key: string): unknown => (isMap(data) && Object.hasOwn(data, key) ? data[key] : undefined);

async function isFolder(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}
