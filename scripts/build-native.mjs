// Builds the exec guard shim (native/exec-guard.c) into dist/native/exec-guard.so, or into the path given as the
// first argument (tests build a private copy). Without a C compiler it warns and exits 0: the .so is then absent
// and the spawner refuses sandboxed sessions with SandboxUnavailableError, naming what is missing.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'native', 'exec-guard.c');
const output = resolve(process.argv[2] ?? join(root, 'dist', 'native', 'exec-guard.so'));

/** The first of $CC, cc, gcc, clang found on PATH. */
function findCompiler() {
  const candidates = [process.env.CC, 'cc', 'gcc', 'clang'].filter(Boolean);
  for (const name of candidates) {
    const paths = name.includes('/') ? [name] : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, name));
    for (const path of paths) {
      try {
        accessSync(path, constants.X_OK);
        return path;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

const cc = findCompiler();
if (cc === undefined) {
  console.warn(
    'vp-daemon: no C compiler (cc, gcc or clang) found, so the exec guard (dist/native/exec-guard.so) was not built.\n' +
      "  Sandboxed sessions need it. On Debian or Ubuntu: apt-get install gcc   (Debian's `gcc` package), then npm run build.",
  );
  process.exit(0);
}
mkdirSync(dirname(output), { recursive: true });
const args = ['-O2', '-Wall', '-Wextra', '-shared', '-fPIC', '-o', output, source, '-ldl'];
const result = spawnSync(cc, args, { stdio: 'inherit' });
if (result.error || result.status !== 0) {
  console.error(`vp-daemon: building the exec guard failed: ${cc} ${args.join(' ')}`);
  process.exit(1);
}
