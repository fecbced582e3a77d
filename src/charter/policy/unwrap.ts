// Expands wrapper commands (sudo, env, bash -c, eval, xargs, find -exec...) to the commands they run.
import { parseShell, type SimpleCommand } from './shell-words.js';

/** Scripts nested deeper than this (bash -c "bash -c '...'", eval) are not expanded; `overflow` is set instead. */
export const MAX_WRAPPER_DEPTH = 16;

/** Every simple command a script runs, wrappers and what they wrap alike, program names reduced to basenames. */
export interface ExpandedScript {
  commands: string[][];
  /** True when a nesting or size limit stopped the expansion: the result may be incomplete. */
  overflow: boolean;
}

/** What a wrapper runs: argv lists to look at next, and strings to parse as shell scripts. */
interface Step {
  next?: string[][];
  scripts?: string[];
}
type Unwrapper = (args: string[], cmd: SimpleCommand) => Step;

/** `/usr/bin/git` → `git`, `./rm` → `rm`. */
export function programName(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1) || word;
}

/**
 * Index of the first operand, skipping options. `valued` lists the options that take an argument
 * ('-u --user'): a short one takes the rest of its cluster or the next word, a long one `=x` or the next word.
 */
function skipOptions(args: string[], valued: string, from = 0): number {
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

const skipAssignments = (args: string[], i: number): number => {
  while (/^[A-Za-z_][A-Za-z0-9_]*=/.test(args[i] ?? '')) i++;
  return i;
};

/** A wrapper of the form `wrapper [options] [VAR=x...] command...`. */
const prefix =
  (valued = '', operandsBefore = 0): Unwrapper =>
  (args) => {
    const i = skipAssignments(args, skipOptions(args, valued)) + operandsBefore;
    return { next: [args.slice(i)] };
  };

/** Words that echo/printf on the left of a pipe would write: all of them joined, and each one alone. */
function pipedText(cmd: SimpleCommand): string[] {
  const from = cmd.pipedFrom;
  if (!from) return [];
  const [prog, ...args] = from.argv;
  const echoed = prog !== undefined && ['echo', 'printf'].includes(programName(prog)) ? [args.join(' '), ...args] : [];
  return [...new Set([...from.stdin, ...echoed])];
}

/** sh/bash/zsh...: `-c STRING` runs STRING; with no script file, commands come from stdin. */
const shell: Unwrapper = (args, cmd) => {
  let command = false;
  let stdin = false;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i] ?? '';
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
  const operand = args[i];
  if (command) return { scripts: operand === undefined ? [] : [operand] };
  return operand === undefined || stdin ? { scripts: [...cmd.stdin, ...pipedText(cmd)] } : {};
};

const env: Unwrapper = (args, cmd) => {
  const valued = '-u -C -a -S --unset --chdir --argv0 --split-string';
  const end = skipOptions(args, valued);
  const at = args.slice(0, end).findIndex((a) => /^(-S|--split-string)/.test(a));
  const a = args[at] ?? '';
  if (at < 0) return prefix(valued)(args, cmd);
  const split = a === '-S' || a === '--split-string' ? args[at + 1] : a.replace(/^(-S|--split-string=)/, '');
  return { scripts: [[split ?? '', ...args.slice(end)].join(' ')] };
};

const xargs: Unwrapper = (args, cmd) => {
  const i = skipOptions(args, '-I -L -n -P -s -d -E -a --arg-file --delimiter --eof --max-lines --max-args --max-procs --max-chars --replace --process-slot-var');
  const run = args.length > i ? args.slice(i) : ['echo'];
  const from = cmd.pipedFrom?.argv ?? [];
  const echoed = from[0] !== undefined && ['echo', 'printf'].includes(programName(from[0]));
  return { next: [echoed ? [...run, ...from.slice(1).flatMap((w) => w.split(/\s+/).filter(Boolean))] : run] };
};

const find: Unwrapper = (args) => {
  const next: string[][] = [];
  for (let i = 0; i < args.length; i++) {
    if (!/^-(exec|execdir|ok|okdir)$/.test(args[i] ?? '')) continue;
    let j = i + 1;
    while (j < args.length && args[j] !== ';' && args[j] !== '+') j++;
    next.push(args.slice(i + 1, j));
    i = j;
  }
  return { next };
};

const su: Unwrapper = (args) => {
  const scripts: string[] = [];
  args.forEach((a, i) => {
    if (a === '-c' || a === '--command') scripts.push(args[i + 1] ?? '');
    else if (a.startsWith('--command=')) scripts.push(a.slice('--command='.length));
  });
  return { scripts };
};

const UNWRAPPERS: Record<string, Unwrapper> = {
  eval: (args) => ({ scripts: [args.join(' ')] }),
  command: (args, cmd) => (args.some((a) => /^-[pvV]*[vV]/.test(a)) ? {} : prefix()(args, cmd)),
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
  watch: (args) => ({ scripts: [args.slice(skipOptions(args, '-n -d --interval')).join(' ')] }),
  env,
  xargs,
  find,
  su,
  ...Object.fromEntries(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'fish'].map((name) => [name, shell])),
};
const WRAPPERS = new Map(Object.entries(UNWRAPPERS));

function expandInto(src: string, depth: number, out: ExpandedScript, budget: { words: number }): void {
  if (depth > MAX_WRAPPER_DEPTH) {
    out.overflow = true;
    return;
  }
  const parsed = parseShell(src);
  out.overflow ||= parsed.overflow;
  for (const cmd of parsed.commands) {
    const todo = [cmd.argv];
    for (let argv = todo.pop(); argv !== undefined; argv = todo.pop()) {
      const [prog, ...args] = argv;
      if (prog === undefined) continue;
      if ((budget.words -= argv.length) < 0) {
        out.overflow = true;
        return;
      }
      const name = programName(prog);
      out.commands.push([name, ...args]);
      const step = WRAPPERS.get(name)?.(args, cmd) ?? {};
      todo.push(...(step.next ?? []));
      for (const script of step.scripts ?? []) expandInto(script, depth + 1, out, budget);
    }
  }
}

/** Parses a shell command string and expands wrappers, returning every simple command it would run. */
export function expandCommands(src: string): ExpandedScript {
  const out: ExpandedScript = { commands: [], overflow: false };
  // A word budget linear in the input: ample for real scripts, a cut-off for quadratic or exponential blow-ups.
  expandInto(src, 0, out, { words: 10_000 + 2 * src.length });
  return out;
}
