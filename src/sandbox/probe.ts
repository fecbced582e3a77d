import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { SandboxUnavailableError } from '../session/errors.js';
import { execGuardLibraryPath } from './exec-guard.js';

const run = promisify(execFile);

/** What the machine offers for sandboxing sessions. */
export interface SandboxSupport {
  /** Absolute path of `bwrap`. */
  bwrapPath: string;
  /** `bubblewrap 0.8.0` */
  version: string;
  /** The exec guard library preloaded into every sandboxed program. */
  execGuardPath: string;
}

const runnable = (path: string): Promise<boolean> => access(path, constants.X_OK).then(() => true, () => false);

/** Finds an executable on PATH, like `which`. */
export async function findOnPath(name: string, pathEnv = process.env['PATH'] ?? ''): Promise<string | undefined> {
  for (const dir of pathEnv.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (await runnable(candidate)) return candidate;
  }
  return undefined;
}

async function probe(bwrapPath: string | undefined): Promise<SandboxSupport> {
  const path = bwrapPath ?? (await findOnPath('bwrap'));
  if (path === undefined || !(await runnable(path))) {
    throw new SandboxUnavailableError('the Debian package bubblewrap (apt-get install bubblewrap)', `bwrap was not found (${path ?? 'not on PATH'})`);
  }
  // A real start with the namespaces a session uses: this fails where user namespaces are not allowed.
  const args = ['--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', '--unshare-pid', '--cap-drop', 'ALL', '--die-with-parent', 'true'];
  const failed = await run(path, args, { timeout: 10_000 }).then(
    () => undefined,
    (error: unknown) => error as Error & { stderr?: string },
  );
  if (failed) {
    const why = String(failed.stderr ?? '').trim() || failed.message;
    throw new SandboxUnavailableError('a kernel that allows user namespaces for bubblewrap (or run as root)', `bwrap cannot start a sandbox here (${why})`, { cause: failed });
  }
  const { stdout } = await run(path, ['--version']);
  const execGuardPath = execGuardLibraryPath();
  if (execGuardPath === undefined) {
    throw new SandboxUnavailableError('a C compiler (the Debian package gcc), then run npm run build', 'the exec guard library (dist/native/exec-guard.so) is not built');
  }
  return { bwrapPath: path, version: stdout.trim(), execGuardPath };
}

const probes = new Map<string, Promise<SandboxSupport>>();

/**
 * Checks once per process (per bwrap path) that sessions can be sandboxed.
 * @throws {SandboxUnavailableError} naming what to install
 */
export function sandboxSupport(bwrapPath?: string): Promise<SandboxSupport> {
  const key = bwrapPath ?? '';
  let probed = probes.get(key);
  if (!probed) {
    probed = probe(bwrapPath);
    probes.set(key, probed);
    // A failed probe is not cached: the user may install the package and try again.
    probed.catch(() => probes.delete(key));
  }
  return probed;
}
