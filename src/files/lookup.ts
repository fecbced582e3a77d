// Where a charter named by a task is looked up, and which file answers to a name.
// Probing is synchronous (a few `stat` calls), so the async loaders and the synchronous triage share it.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { CharterNotFoundError, TaskFileError, type FileIssue } from '../session/errors.js';
import { FILE_EXTENSIONS } from './source.js';

/** The environment variable naming a charters folder, looked in after the `chartersDir` option. */
export const CHARTERS_ENV = 'VP_DAEMON_CHARTERS';

/** Where a named charter is looked up. */
export interface CharterLookupOptions {
  /** Looked in first (the `--charters` option). Relative to the current folder. */
  chartersDir?: string;
  /**
   * The folder the lookup starts from: the task file's folder, or the current folder when there is no file.
   * After `chartersDir` and `VP_DAEMON_CHARTERS` come `<baseDir>/charters`, then a `charters` folder in each
   * parent of `baseDir` up to the repository root (the first folder upward holding `.git`), or up to `/`.
   */
  baseDir?: string;
  /** Looked in last (the daemon's `<state>/../charters`). */
  fallbackDir?: string;
}

// A charter name: letters, digits, `.`, `_` and `-`, not starting with a dot (so never a path).
const CHARTER_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

// Where a charter name was written, for errors.
export interface NameSite extends Omit<FileIssue, 'message' | 'value'> {
  file: string;
}

/**
 * The folders a named charter is looked up in, in order, without repeats: `chartersDir`, then
 * `VP_DAEMON_CHARTERS`, then `<baseDir>/charters` and a `charters` folder in each parent of `baseDir` up to the
 * repository root (the first folder upward that holds `.git`; without one, up to the filesystem root).
 */
export function charterFolders(options: CharterLookupOptions = {}): string[] {
  const folders: string[] = [];
  const fromEnv = process.env[CHARTERS_ENV];
  if (options.chartersDir !== undefined && options.chartersDir !== '') folders.push(resolve(options.chartersDir));
  if (fromEnv !== undefined && fromEnv !== '') folders.push(resolve(fromEnv));
  for (let dir = resolve(options.baseDir ?? process.cwd()); ; dir = dirname(dir)) {
    folders.push(join(dir, 'charters'));
    if (existsSync(join(dir, '.git')) || dirname(dir) === dir) break;
  }
  if (options.fallbackDir !== undefined) folders.push(resolve(options.fallbackDir));
  return [...new Set(folders)];
}

/**
 * The path of the charter file called `name` in the first of `folders` that has one: `<name>.yaml`, `.yml` or
 * `.json`, in that order (a name that ends in one of those names the file exactly).
 * @throws {TaskFileError} when `name` is not a plain name.
 * @throws {CharterNotFoundError} when no folder has it; the error lists every folder looked in.
 */
export function findCharterFile(name: string, folders: readonly string[], site: NameSite): string {
  const { file, ...where } = site;
  if (!CHARTER_NAME.test(name)) {
    const message = "must be a charter name (letters, digits, '.', '_', '-'; not a path) or a charter map";
    throw new TaskFileError(file, [{ ...where, message, value: name }]);
  }
  const ext = extname(name).toLowerCase();
  const candidates = (FILE_EXTENSIONS as readonly string[]).includes(ext) ? [name] : FILE_EXTENSIONS.map((e) => name + e);
  for (const folder of folders) {
    for (const candidate of candidates) {
      const path = join(folder, candidate);
      if (isFile(path)) return path;
    }
  }
  const seen = folders.map((folder) => ({ folder, names: charterNames(folder) }));
  const looked = seen.map(({ folder, names }) => `${folder} (${names === undefined ? 'no such folder' : names.length === 0 ? 'no charter files' : `holds ${names.join(', ')}`})`);
  const available = [...new Set(seen.flatMap(({ names }) => names ?? []))].sort();
  const message = `no such charter; looked in, in order: ${looked.join('; ')}`;
  throw new CharterNotFoundError(file, { ...where, message, value: name }, folders, available);
}

// The charter names in a folder (file names without extension), sorted; undefined when it cannot be read.
function charterNames(dir: string): string[] | undefined {
  try {
    const names = readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile() && (FILE_EXTENSIONS as readonly string[]).includes(extname(entry.name).toLowerCase()))
      .map((entry) => entry.name.slice(0, -extname(entry.name).length));
    return [...new Set(names)].sort();
  } catch {
    return undefined;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
