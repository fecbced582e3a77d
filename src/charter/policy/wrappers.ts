// The wrappers the matcher sees through: programs that run another program (sudo, env, xargs, find -exec,
// flock, taskset...) or a shell script (bash -c, eval, su -c, git -c alias.x='!...', trap, alias...).
import { programName } from './shell-text.js';
import type { SimpleCommand } from './shell-words.js';
import { isProcess, stdinOf } from './stdin-text.js';

/** Words with the `WORD` bits of each (read as `flags[i] ?? 0`), and whether their text appears as such in the input. */
export interface Argv {
  words: string[];
  flags: readonly number[];
  verbatim: boolean;
}

/** What a wrapper runs. */
export interface Step {
  /** What it runs directly, as argv. */
  next?: Argv[];
  /** What it runs as shell scripts. Expansions stay in the text (`$X`), for the parser to see. */
  scripts?: string[];
  /** Why what it runs cannot be known from the text (the caller fails closed). */
  unresolved?: string;
  /** Aliases it defines (alias, hash -p): the name and the text it stands for (expanded like a script). */
  aliases?: { name: string; script: string }[];
}

/** `args` are the words after the program name. */
type Unwrapper = (args: Argv, cmd: SimpleCommand) => Step;

/** Shells: `-c STRING` runs STRING; with no script file (or /dev/stdin) the commands come from stdin. */
export const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'fish', 'csh', 'tcsh', 'rbash', 'yash', 'posh', 'lksh']);
const STDIN_PATHS = new Set(['-', '/dev/stdin', '/dev/fd/0', '/proc/self/fd/0']);

/** The words from `from` (to `to`) with their flags. */
export function slice(a: Argv, from: number, to?: number): Argv {
  return { words: a.words.slice(from, to), flags: a.flags.length > 0 ? a.flags.slice(from, to) : a.flags, verbatim: a.verbatim };
}

const made = (words: string[]): Argv => ({ words, flags: [], verbatim: false });

/**
 * Index of the first operand, skipping options. `valued` lists the options that take an argument
 * ('-u --user'): a short one takes the rest of its cluster or the next word, a long one `=x` or the next word.
 */
function skipOptions(args: readonly string[], valued: string, from = 0): number {
  const takes = new Set(valued.split(' '));
  let i = from;
  while (i < args.length) {
    const a = args[i] ?? '';
    if (a === '--') return i + 1;
    if (!a.startsWith('-') || a === '-') return i;
    if (a.startsWith('--')) {
      i += !a.includes('=') && takes.has(a) ? 2 : 1;
      continue;
    }
    let j = 1;
    while (j < a.length && !takes.has(`-${a[j] ?? ''}`)) j++;
    i += j === a.length - 1 ? 2 : 1;
  }
  return i;
}

const skipAssignments = (args: readonly string[], i: number): number => {
  while (/^[A-Za-z_][A-Za-z0-9_]*=/.test(args[i] ?? '')) i++;
  return i;
};

/** A wrapper of the form `wrapper [options] [operands...] [VAR=x...] command...`. */
const prefix =
  (valued = '', operandsBefore = 0): Unwrapper =>
  (args) => ({ next: [slice(args, skipAssignments(args.words, skipOptions(args.words, valued) + operandsBefore))] });

/** Not a wrapper when one of `options` is given (`taskset -p`: a process id, no command). */
const unless =
  (options: RegExp, then: Unwrapper): Unwrapper =>
  (args, cmd) => (args.words.some((a) => options.test(a)) ? {} : then(args, cmd));

/** The value of `-c`/`--command` options (also ending a cluster, `-qc`), wherever they are. */
const commandOption = (args: readonly string[]): string[] =>
  args.flatMap((a, i) => (/^-[A-Za-z]*c$/.test(a) || a === '--command' ? [args[i + 1] ?? ''] : a.startsWith('--command=') ? [a.slice(10)] : []));

/** Runs the commands a command reads on stdin, or fails closed when a pipe feeds it text nobody can know. */
function fromStdin(name: string, cmd: SimpleCommand): Step {
  const input = stdinOf(cmd);
  if (input !== undefined) return { scripts: input };
  return { unresolved: `${name} runs commands read from a pipe, whose text cannot be checked before it runs; run them directly, or put them in a script file` };
}

const shell =
  (name: string): Unwrapper =>
  (args, cmd) => {
    const words = args.words;
    let command = false;
    let stdin = false;
    let i = 0;
    for (; i < words.length; i++) {
      const a = words[i] ?? '';
      if (a === '--' || a === '-') {
        i++;
        break;
      }
      if (a.startsWith('--')) {
        if (a === '--rcfile' || a === '--init-file') i++;
        if (a === '--command') command = true;
        continue;
      }
      if (!/^[-+]./.test(a)) break;
      if (a.startsWith('-') && a.includes('c')) command = true;
      if (a.startsWith('-') && a.includes('s')) stdin = true;
      if (/[oO]$/.test(a)) i++;
    }
    const operand = words[i];
    if (command) return { scripts: operand === undefined ? [] : [operand] };
    if (operand !== undefined && isProcess(args.flags[i] ?? 0)) {
      return { unresolved: `${name} runs a script that a process substitution writes (${operand.slice(0, 60)}), which cannot be checked before it runs` };
    }
    return operand === undefined || stdin || STDIN_PATHS.has(operand) ? fromStdin(name, cmd) : {};
  };

const source: Unwrapper = (args, cmd) => {
  const file = args.words[0];
  if (file === undefined) return {};
  if (isProcess(args.flags[0] ?? 0)) return { unresolved: `source runs a script that a process substitution writes (${file.slice(0, 60)}), which cannot be checked before it runs` };
  return STDIN_PATHS.has(file) ? fromStdin('source', cmd) : {};
};

const env: Unwrapper = (args, cmd) => {
  const valued = '-u -C -a -S --unset --chdir --argv0 --split-string';
  const words = args.words;
  const end = skipOptions(words, valued);
  const at = words.slice(0, end).findIndex((a) => /^(-S|--split-string)/.test(a));
  const a = words[at] ?? '';
  if (at < 0) return prefix(valued)(args, cmd);
  const split = a === '-S' || a === '--split-string' ? words[at + 1] : a.replace(/^(-S|--split-string=)/, '');
  return { scripts: [[split ?? '', ...words.slice(end)].join(' ')] };
};

const MAX_XARGS_LINES = 64;

const xargs: Unwrapper = (args, cmd) => {
  const words = args.words;
  const i = skipOptions(words, '-I -L -n -P -s -d -E -a --arg-file --delimiter --eof --max-lines --max-args --max-procs --max-chars --replace --process-slot-var');
  const run = words.length > i ? slice(args, i) : made(['echo']);
  const input = words.slice(0, i).some((a) => a === '-a' || a.startsWith('--arg-file')) ? undefined : stdinOf(cmd);
  if (input === undefined) {
    const target = programName(run.words[0] ?? '');
    if (SHELLS.has(target)) return { unresolved: `xargs runs ${target} on input that cannot be checked before it runs` };
    return { next: [run] };
  }
  const text = input[0];
  if (text === undefined) return { next: [run] };
  const replaceAt = words.slice(0, i).findIndex((a) => a === '-I' || a.startsWith('--replace') || /^-I./.test(a));
  if (replaceAt >= 0) {
    const opt = words[replaceAt] ?? '';
    const token = opt === '-I' ? (words[replaceAt + 1] ?? '{}') : opt.startsWith('-I') ? opt.slice(2) : opt.includes('=') ? opt.slice(opt.indexOf('=') + 1) : '{}';
    const lines = text.split('\n').filter(Boolean).slice(0, MAX_XARGS_LINES);
    return { next: [run, ...lines.map((line) => made(run.words.map((w) => w.replaceAll(token, line))))] };
  }
  return { next: [made([...run.words, ...text.split(/\s+/).filter(Boolean)])] };
};

const find: Unwrapper = (args) => {
  const next: Argv[] = [];
  const words = args.words;
  for (let i = 0; i < words.length; i++) {
    if (!/^-(exec|execdir|ok|okdir)$/.test(words[i] ?? '')) continue;
    let j = i + 1;
    while (j < words.length && words[j] !== ';' && words[j] !== '+') j++;
    next.push(slice(args, i + 1, j));
    i = j;
  }
  return { next };
};

/** flock [options] file (-c command | command...). */
const flock: Unwrapper = (args) => {
  const scripts = commandOption(args.words);
  if (scripts.length > 0) return { scripts };
  return { next: [slice(args, skipOptions(args.words, '-w -E --timeout --conflict-exit-code') + 1)] };
};

/** sg group [-c] command: the command is one string for the shell. */
const sg: Unwrapper = (args) => {
  const words = args.words[0] === '-' ? args.words.slice(1) : args.words;
  const rest = words.slice(1);
  return { scripts: [(rest[0] === '-c' ? rest.slice(1) : rest).join(' ')] };
};

/** ssh [options] host command...: the command words are joined into one script for the remote shell. */
const ssh: Unwrapper = (args) => {
  const i = skipOptions(args.words, '-B -b -c -D -E -e -F -I -i -J -L -l -m -O -o -P -p -Q -R -S -W -w');
  const rest = args.words.slice(i + 1);
  return rest.length > 0 ? { scripts: [rest.join(' ')] } : {};
};

/** parallel [options] command ::: arguments: one quoted word is a script, several an argv. */
const parallel: Unwrapper = (args) => {
  const i = skipOptions(args.words, '-j -S -P -n -N -L -l -I -d -E -X --jobs --sshlogin --max-args --colsep --delimiter');
  const end = args.words.findIndex((w, k) => k >= i && /^:{3,4}\+?$/.test(w));
  const run = slice(args, i, end < 0 ? undefined : end);
  return run.words.length === 1 ? { scripts: run.words } : { next: [run] };
};

/** git -c key=value: values that git runs as shell commands (aliases with `!`, pagers, editors, helpers...). */
const GIT_COMMAND_KEY = /^(alias\..+|core\.(pager|editor|sshcommand|fsmonitor|askpass)|sequence\.editor|diff\.external|gpg\.program|pager\..+|interactive\.difffilter|(diff|merge|filter)\..+\.(command|textconv|driver|clean|smudge|process)|credential\.(.+\.)?helper)$/;

const git: Unwrapper = (args) => {
  const scripts: string[] = [];
  for (const [i, a] of args.words.entries()) {
    if (a !== '-c') continue;
    const setting = args.words[i + 1] ?? '';
    const eq = setting.indexOf('=');
    const key = setting.slice(0, eq).toLowerCase();
    const value = setting.slice(eq + 1);
    if (eq > 0 && GIT_COMMAND_KEY.test(key) && (!key.startsWith('alias.') || value.startsWith('!'))) scripts.push(value.replace(/^!/, ''));
  }
  return { scripts };
};

const alias: Unwrapper = (args) => {
  const aliases = args.words.filter((w) => w.includes('=')).map((w) => ({ name: w.slice(0, w.indexOf('=')), script: w.slice(w.indexOf('=') + 1) }));
  return { aliases };
};

/** hash -p path name: `name` runs `path`. */
const hash: Unwrapper = (args) => {
  const at = args.words.indexOf('-p');
  const path = args.words[at + 1];
  const name = args.words[at + 2];
  return at >= 0 && path !== undefined && name !== undefined ? { aliases: [{ name, script: path }] } : {};
};

/** trap 'commands' SIGNAL...: the commands run later, in this shell. */
const trap: Unwrapper = (args) => {
  const words = args.words[0] === '--' ? args.words.slice(1) : args.words;
  const action = words[0];
  return action === undefined || /^-[lp]+$/.test(action) ? {} : { scripts: [action] };
};

const UNWRAPPERS: Record<string, Unwrapper> = {
  eval: (args) => ({ scripts: [args.words.join(' ')] }),
  command: (args, cmd) => (args.words.some((a) => /^-[pvV]*[vV]/.test(a)) ? {} : prefix()(args, cmd)),
  builtin: prefix(),
  exec: prefix('-a'),
  nohup: prefix(),
  setsid: prefix(),
  busybox: prefix(),
  time: prefix('-f -o --format --output'),
  nice: prefix('-n --adjustment'),
  ionice: prefix('-c -n -p -P -u --class --classdata'),
  stdbuf: prefix('-i -o -e --input --output --error'),
  timeout: prefix('-s -k --signal --kill-after', 1),
  chroot: prefix('--userspec --groups', 1),
  sudo: prefix('-u -g -h -p -C -D -r -t -T -U --user --group --host --prompt --close-from --chdir --role --type --command-timeout --other-user'),
  doas: prefix('-u -C'),
  pkexec: prefix('--user'),
  taskset: unless(/^(-[a-z]*p|--pid)$/, prefix('', 1)),
  chrt: unless(/^(-[a-z]*p|--pid)$/, prefix('-T -P -D --sched-runtime --sched-period --sched-deadline', 1)),
  prlimit: prefix('-p --pid -o --output'),
  numactl: prefix('-C -N -m -p -i --physcpubind --cpunodebind --membind --preferred --interleave'),
  cgexec: prefix('-g'),
  unshare: prefix('-R -w -S -G --root --wd --setuid --setgid --map-user --map-group --propagation'),
  nsenter: prefix('-t -S -G -r -w --target --setuid --setgid --root --wd'),
  setpriv: prefix('--reuid --regid --ruid --euid --rgid --egid --groups --inh-caps --ambient-caps --bounding-set --securebits --pdeathsig'),
  strace: prefix('-e -o -p -s -u -E -P -a -b -I -X -O -S'),
  ltrace: prefix('-e -o -p -s -u -n -a -A -D -F -l -x'),
  valgrind: prefix(),
  firejail: prefix(),
  unbuffer: prefix(),
  fakeroot: prefix('-l -s -i --lib --faked'),
  torsocks: prefix('-u -p -a -P --user --pass --address --port'),
  proxychains: prefix('-f'),
  proxychains4: prefix('-f'),
  catchsegv: prefix(),
  rlwrap: prefix('-f -H -p -P -s -t -z -e -g -l -o -q -S -w'),
  'xvfb-run': prefix('-n -s -e -f -p --server-num --server-args --error-file --auth-file'),
  'systemd-run': prefix('-u -p -E -M -H --unit --property --setenv --machine --host --description --slice --uid --gid --nice --working-directory'),
  runuser: (args, cmd) => {
    const scripts = commandOption(args.words);
    return scripts.length > 0 ? { scripts } : prefix('-u -g -G -s -w --user --group --supp-group --shell --whitelist-environment')(args, cmd);
  },
  watch: (args) => ({ scripts: [args.words.slice(skipOptions(args.words, '-n -d --interval')).join(' ')] }),
  script: (args) => ({ scripts: commandOption(args.words) }),
  su: (args) => ({ scripts: commandOption(args.words) }),
  at: (args, cmd) => (args.words.some((a) => a.startsWith('-f')) ? {} : fromStdin('at', cmd)),
  batch: (_args, cmd) => fromStdin('batch', cmd),
  source,
  '.': source,
  env,
  xargs,
  find,
  flock,
  sg,
  ssh,
  parallel,
  git,
  alias,
  hash,
  trap,
  ...Object.fromEntries([...SHELLS].map((name) => [name, shell(name)])),
};

/** The wrapper table, by program name. */
export const WRAPPERS: ReadonlyMap<string, Unwrapper> = new Map(Object.entries(UNWRAPPERS));
