import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { sandboxSupport } from '../../sandbox/probe.js';
import { resolveClaudePath, TESTED_CLAUDE_VERSIONS } from '../../spawner/resolve-claude.js';

const run = promisify(execFile);

/** One line of the report. `needed` checks make the command fail when they fail. */
export interface DoctorCheck {
  name: string;
  ok: boolean;
  needed: boolean;
  detail: string;
}

const firstLine = (text: string): string => text.trim().split('\n')[0] ?? '';
const why = (error: unknown): string => (error instanceof Error ? error.message : String(error));

async function userNamespaces(): Promise<DoctorCheck> {
  const read = (path: string): Promise<string | undefined> => readFile(path, 'utf8').then((t) => t.trim(), () => undefined);
  const max = await read('/proc/sys/user/max_user_namespaces');
  const clone = await read('/proc/sys/kernel/unprivileged_userns_clone');
  const root = process.getuid?.() === 0;
  const ok = root || (max !== '0' && clone !== '0');
  const detail = `${root ? 'running as root; ' : ''}max_user_namespaces=${max ?? 'n/a'}, unprivileged_userns_clone=${clone ?? 'n/a'}`;
  return { name: 'user namespaces', ok, needed: true, detail };
}

async function claude(): Promise<DoctorCheck> {
  try {
    const path = resolveClaudePath();
    const { stdout } = await run(path, ['--version'], { timeout: 30_000 });
    const version = /^(\d+\.\d+\.\d+)/.exec(stdout.trim())?.[1] ?? stdout.trim();
    const tested = TESTED_CLAUDE_VERSIONS.includes(version);
    return { name: 'Claude CLI', ok: true, needed: true, detail: `${version} at ${path}${tested ? ' (tested)' : ` (not tested; tested: ${TESTED_CLAUDE_VERSIONS.join(', ')})`}` };
  } catch (error) {
    return { name: 'Claude CLI', ok: false, needed: true, detail: why(error) };
  }
}

async function program(name: string, command: string, args: string[], needed: boolean): Promise<DoctorCheck> {
  try {
    const { stdout } = await run(command, args, { timeout: 10_000 });
    return { name, ok: true, needed, detail: firstLine(stdout) };
  } catch (error) {
    return { name, ok: false, needed, detail: `${command} not usable: ${why(error)}` };
  }
}

/** What this machine offers for running sandboxed sessions. */
export async function doctorChecks(): Promise<DoctorCheck[]> {
  const sandbox = sandboxSupport().then(
    (s): DoctorCheck => ({ name: 'sandbox', ok: true, needed: true, detail: `${s.version} at ${s.bwrapPath}; exec guard ${s.execGuardPath}` }),
    (error: unknown): DoctorCheck => ({ name: 'sandbox', ok: false, needed: true, detail: why(error) }),
  );
  return Promise.all([
    sandbox,
    userNamespaces(),
    claude(),
    program('git', 'git', ['--version'], false),
    program('C compiler', 'cc', ['--version'], false),
  ]);
}

/** `vp-daemon doctor`: prints the checks; exits 1 when a needed one fails. */
export async function doctorCommand(json: boolean, print: (line: string) => void): Promise<number> {
  const checks = await doctorChecks();
  if (json) print(JSON.stringify({ ok: checks.every((c) => c.ok || !c.needed), checks }));
  else {
    const width = Math.max(...checks.map((c) => c.name.length));
    for (const c of checks) print(`${c.ok ? 'ok  ' : c.needed ? 'FAIL' : 'warn'}  ${c.name.padEnd(width)}  ${c.detail}`);
  }
  return checks.every((c) => c.ok || !c.needed) ? 0 : 1;
}
