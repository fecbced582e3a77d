// Pure: turns a sandbox plan into bubblewrap's argv. Every path is absolute; order matters to bwrap
// (a later mount may sit inside an earlier one), so the plan is laid out from the outside in.

/** Where the session's read-only supervisor files appear inside the sandbox. */
export const SANDBOX_RUN_DIR = '/run/vp-daemon';

/** A top-level entry of `/` that is either a symlink (merged /usr) or a real folder. */
export type RootEntry = { path: string; symlinkTo: string } | { path: string; dir: true };

/** What one session's sandbox shows and hides. */
export interface SandboxPlan {
  /** The workspace: writable, and the process's working directory. */
  workDir: string;
  /** `/bin`, `/lib`, ... as they are on the host (symlinks into /usr, or folders bound read-only). */
  rootEntries: readonly RootEntry[];
  /** System folders bound read-only at the same path, when they exist (`/usr`, `/etc`, `/opt`). */
  systemDirs: readonly string[];
  /** Files inside the bound system folders that are covered with an empty file (e.g. `/etc/shadow`). */
  hiddenFiles: readonly string[];
  /** `HOME` inside the sandbox: an empty private folder at the same path. */
  home: string;
  /** Toolchains, binaries and other paths bound read-only at the same path. */
  readOnly: readonly string[];
  /** Paths bound writable at the same path besides the workspace (the session's CLI config folder). */
  writable: readonly string[];
  /** Folders inside the workspace covered with an empty private folder (a state folder kept there). */
  masked: readonly string[];
  /** Host folder shown read-only at {@link SANDBOX_RUN_DIR}, and the guard's socket folder below it. */
  runDir: string;
  socketDir: string;
  /** Variables set inside the sandbox only (`LD_PRELOAD` must not apply to bwrap itself). */
  env: Readonly<Record<string, string>>;
}

/** The bubblewrap options (before `--`) that build the sandbox of {@link SandboxPlan}. */
export function bwrapArgs(plan: SandboxPlan): string[] {
  const args = [
    // The sandbox dies with the supervisor's bwrap process, and every process in it dies with its PID 1.
    '--die-with-parent',
    '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try',
    // Run as root on the host, bwrap would keep every capability inside.
    '--cap-drop', 'ALL',
    // The network stays shared for now: the model API must be reachable (domain filtering comes later).
  ];
  for (const entry of plan.rootEntries) {
    if ('symlinkTo' in entry) args.push('--symlink', entry.symlinkTo, entry.path);
    else args.push('--ro-bind', entry.path, entry.path);
  }
  for (const dir of plan.systemDirs) args.push('--ro-bind', dir, dir);
  for (const file of plan.hiddenFiles) args.push('--ro-bind', '/dev/null', file);
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--tmpfs', '/var/tmp');
  args.push('--tmpfs', plan.home);
  args.push('--bind', plan.workDir, plan.workDir);
  for (const dir of plan.masked) args.push('--tmpfs', dir);
  // After the workspace, so a binary or toolchain inside it stays read-only too.
  for (const path of plan.readOnly) args.push('--ro-bind', path, path);
  for (const path of plan.writable) args.push('--bind', path, path);
  args.push('--ro-bind', plan.runDir, SANDBOX_RUN_DIR);
  args.push('--ro-bind', plan.socketDir, `${SANDBOX_RUN_DIR}/sock`);
  for (const [name, value] of Object.entries(plan.env)) args.push('--setenv', name, value);
  args.push('--chdir', plan.workDir);
  return args;
}
