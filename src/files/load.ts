/**
 * Loading task and charter files (YAML `.yaml`/`.yml` or JSON `.json`).
 *
 * Every problem is thrown as a {@link TaskFileError} naming the file, the 1-based line and column, the dotted
 * field and the value, e.g. `tasks/fix.yaml:7:3: charter.resources.maxTokens: must be a positive integer (got -5)`.
 */
import { readdir, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { charterSchema } from '../charter/schema.js';
import type { ResolvedTriageRequest } from '../session/request.js';
import { CharterNotFoundError, ErrorCodes, TaskFileError } from '../session/errors.js';
import type { VPCharter } from '../session/types.js';
import { validate } from '../utils/validate.js';
import { byPosition, charterFileSchema, check, taskFileSchema } from './schema.js';
import { FILE_EXTENSIONS, readSource, type Position } from './source.js';

export { FILE_EXTENSIONS } from './source.js';

/** Options of {@link loadTaskFile}. */
export interface LoadTaskFileOptions {
  /** Where charters named by the task are looked up. @default a `charters` folder next to the task file */
  chartersDir?: string;
}

/** A charter name: letters, digits, `.`, `_` and `-`, not starting with a dot (so never a path). */
const CHARTER_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

// Where a charter name was written, for errors.
interface NameSite extends Partial<Position> {
  file: string;
  field?: string;
}

/**
 * Reads a charter file. `constraints.forbiddenPatterns` are written as `'/regex/flags'` strings and returned
 * as RegExp; unknown keys are errors. Fields are checked by the same rules as a session's charter.
 * @throws {TaskFileError} `ERR_TASK_FILE_NOT_FOUND` when the file is missing, `ERR_TASK_FILE` when it is invalid.
 */
export async function loadCharterFile(path: string): Promise<VPCharter> {
  const source = await readSource(path);
  const result = check(charterFileSchema, source);
  if (!result.ok) throw new TaskFileError(source.file, result.issues.sort(byPosition));
  return result.value;
}

/**
 * Returns the charter itself when given an object (checked with the charter schema; throws a `ConfigError`),
 * or loads the charter file of that name from `chartersDir`: `<name>.yaml`, `<name>.yml` or `<name>.json`,
 * the first that exists in that order. A name that ends in one of those extensions names the file exactly.
 * @throws {CharterNotFoundError} `ERR_CHARTER_NOT_FOUND` when there is no such file; its `available` lists the names there.
 * @throws {TaskFileError} when the name is not a plain name or the charter file is invalid.
 */
export async function resolveCharter(nameOrCharter: string | VPCharter, chartersDir: string): Promise<VPCharter> {
  if (typeof nameOrCharter !== 'string') {
    validate(charterSchema, nameOrCharter);
    return nameOrCharter; // the caller's object, RegExp instances intact
  }
  return resolveNamed(nameOrCharter, chartersDir, { file: chartersDir });
}

/**
 * Reads a task file and resolves it into a request the daemon can run:
 *
 * - `task` (`id`, `description`, optional `relatedTasks`, `metadata`), optional `requestId`, `urgency`,
 *   `memory`, `timeout` (ms), `model`, `maxTurns`; any other top-level key is an error;
 * - `charter`: a charter map (as in a charter file) or the name of a charter file in `chartersDir`;
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
  const charter =
    inline ?? (await resolveNamed(written as string, options.chartersDir ?? join(dirname(path), 'charters'), { file: path, field: 'charter', ...source.at(['charter']) }));
  return { ...request, charter, workingDirectory }; // `charter` replaces the written one
}

async function resolveNamed(name: string, chartersDir: string, site: NameSite): Promise<VPCharter> {
  const { file, ...where } = site;
  if (!CHARTER_NAME.test(name)) {
    const message = "must be a charter name (letters, digits, '.', '_', '-'; not a path) or a charter map";
    throw new TaskFileError(file, [{ ...where, message, value: name }]);
  }
  const ext = extname(name).toLowerCase();
  const candidates = (FILE_EXTENSIONS as readonly string[]).includes(ext) ? [name] : FILE_EXTENSIONS.map((e) => name + e);
  for (const candidate of candidates) {
    const charterPath = join(chartersDir, candidate);
    if (await isFile(charterPath)) return loadCharterFile(charterPath);
  }
  const available = await charterNames(chartersDir);
  const there = available === undefined ? `there is no charters folder ${chartersDir}` : available.length === 0 ? `${chartersDir} holds no charter files` : `available in ${chartersDir}: ${available.join(', ')}`;
  throw new CharterNotFoundError(file, { ...where, message: `no such charter; ${there}`, value: name }, chartersDir, available ?? []);
}

/** The charter names in a folder (file names without extension), sorted; undefined when the folder cannot be read. */
async function charterNames(dir: string): Promise<string[] | undefined> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    const names = entries
      .filter((entry) => entry.isFile() && (FILE_EXTENSIONS as readonly string[]).includes(extname(entry.name).toLowerCase()))
      .map((entry) => entry.name.slice(0, -extname(entry.name).length));
    return [...new Set(names)].sort();
  } catch {
    return undefined;
  }
}

const isMap = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const valueOf = (data: unknown, key: string): unknown => (isMap(data) && Object.hasOwn(data, key) ? data[key] : undefined);

async function isFolder(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}
