import { lstat, readlink, realpath, stat } from 'node:fs/promises';
import { delimiter, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { ttlMemo } from '../utils/memo.js';
import type { RootEntry, SandboxPlan } from './bwrap-args.js';

const ROOT_ENTRIES = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
const SYSTEM_DIRS = ['/usr', '/etc', '/opt'];
// Readable by root inside an unprivileged sandbox run by root: covered, as nothing a session does needs them.
const HIDDEN_FILES = ['/etc/shadow', '/etc/gshadow', '/etc/shadow-', '/etc/gshadow-', '/etc/sudoers'];
// Folders a toolchain never needs and credentials often live in: never bound, even when PATH names them.
const NEVER_SHOWN = ['.claude', '.ssh', '.gnupg', '.aws', '.config', '.docker', '.kube', '.npmrc', '.netrc'];

/** True when `path` is `dir` or inside it. */
export function isWithin(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

// What the machine holds changes rarely: a burst of starts reads it once, not once per session.
const MACHINE_FACTS_TTL_MS = 2000;
const machineFact = ttlMemo<Promise<unknown>>(MACHINE_FACTS_TTL_MS);
const fact = <T>(key: string, read: () => Promise<T>): Promise<T> => machineFact(key, read) as Promise<T>;

const exists = (path: string): Promise<boolean> => fact(`exists:${path}`, () => stat(path).then(() => true, () => false));
/** The real path of `path`, read once per burst of starts (see above). */
export const realpathOf = (path: string): Promise<string> => fact(`realpath:${path}`, () => realpath(path));

function rootEntries(): Promise<RootEntry[]> {
  return fact('root-entries', readRootEntries);
}

async function readRootEntries(): Promise<RootEntry[]> {
  const entries: RootEntry[] = [];
  for (const path of ROOT_ENTRIES) {
    const info = await lstat(path).catch(() => undefined);
    if (info?.isSymbolicLink()) entries.push({ path, symlinkTo: await readlink(path) });
    else if (info?.isDirectory()) entries.push({ path, dir: true });
  }
  return entries;
}

/**
 * The folders of PATH a session's tools need, outside the system folders: each as it is, or for one inside
 * HOME its top folder there (`~/.pyenv/shims` needs all of `~/.pyenv`). Credential folders are never included.
 */
export async function toolchainPaths(pathEnv: string, home: string, exclude: readonly string[]): Promise<string[]> {
  const out = new Set<string>();
  for (const entry of pathEnv.split(delimiter)) {
    if (!isAbsolute(entry) || SYSTEM_DIRS.some((d) => isWithin(entry, d)) || ROOT_ENTRIES.some((d) => isWithin(entry, d))) continue;
    let path = resolve(entry);
    if (isWithin(path, home)) {
      const top = relative(home, path).split(sep)[0];
      if (!top || NEVER_SHOWN.includes(top)) continue;
      path = resolve(home, top);
    }
    if (path === '/' || exclude.some((d) => isWithin(path, d) || isWithin(d, path))) continue;
    if (await exists(path)) out.add(path);
  }
  return [...out];
}

/** Inputs of {@link planSandbox}. */
export interface SandboxLayoutInput {
  workDir: string;
  stateDir: string;
  /** The session's HOME (an empty private folder inside). */
  home: string;
  /** The session's CLI config folder (writable). */
  configDir: string;
  runDir: string;
  socketDir: string;
  /** The CLI binary (or script) to run. */
  command: string;
  /** PATH of the session, for its toolchains. */
  pathEnv: string;
  /** More paths to show read-only. */
  readOnly?: readonly string[];
  /** More paths to show writable (a git workspace's own git folder). */
  writable?: readonly string[];
  /** Variables set inside the sandbox only. */
  env?: Readonly<Record<string, string>>;
}

/** Reads the machine to lay out one session's sandbox: what is shown, writable, hidden. */
export async function planSandbox(input: SandboxLayoutInput): Promise<SandboxPlan> {
  const { workDir, stateDir } = input;
  // The CLI's folder (a script's siblings, a binary's data) and node's, read-only even inside the workspace.
  const binaries = [dirname(await realpathOf(input.command)), dirname(await realpathOf(process.execPath))];
  const secret = [stateDir, input.runDir, input.socketDir];
  const readOnly = new Set<string>();
  for (const path of [...binaries, ...(input.readOnly ?? []), ...(await toolchainPaths(input.pathEnv, input.home, secret))]) {
    if (SYSTEM_DIRS.some((d) => isWithin(path, d)) || secret.some((d) => isWithin(path, d))) continue;
    readOnly.add(path);
  }
  const systemDirs: string[] = [];
  for (const dir of SYSTEM_DIRS) if (await exists(dir)) systemDirs.push(dir);
  const hiddenFiles: string[] = [];
  for (const file of HIDDEN_FILES) if (await exists(file)) hiddenFiles.push(file);
  return {
    workDir,
    rootEntries: await rootEntries(),
    systemDirs,
    hiddenFiles,
    home: input.home,
    readOnly: [...readOnly],
    writable: [input.configDir, ...(input.writable ?? [])],
    // A state folder inside the workspace (the default `<workingDirectory>/.vp-daemon`) is covered.
    masked: isWithin(stateDir, workDir) && stateDir !== workDir ? [stateDir] : [],
    runDir: input.runDir,
    socketDir: input.socketDir,
    env: input.env ?? {},
  };
}
