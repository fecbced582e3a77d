// Decides whether a program about to run breaks the charter, from its real path and argv as the exec guard
// shim reports them from inside the sandbox. Shell text is long gone here: what runs is what is checked.
import { compileForbiddenCommand } from './match-command.js';
import { programName } from './unwrap.js';

/** The charter constraints enforced where programs run. */
export interface ExecRules {
  forbiddenCommands: readonly string[];
  requiredApprovals: readonly string[];
}

/** Allowed; blocked with the rule and a sentence; or allowed only once a person approves `approval`. */
export type ExecVerdict = { allowed: true } | { allowed: false; rule: string; reason: string } | { approval: string };

const ALLOWED: ExecVerdict = { allowed: true };
const MAX_DEPTH = 8;

/** The dynamic loader run as a program (`/lib64/ld-linux-x86-64.so.2 /bin/rm -rf x`) loads its operand in-process. */
const LOADER = /^(ld\.so|ld-linux.*|ld-musl.*)$/;
const LOADER_VALUED = new Set(['--library-path', '--inhibit-rpath', '--audit', '--preload', '--argv0', '--glibc-hwcaps-prepend', '--glibc-hwcaps-mask']);

/** How a script runner's options read: letters/words that mean inline code or stdin, options that take a value. */
interface Runner {
  inline: string;
  valued: string;
  long?: { inline: string[]; valued: string[] };
  /** `python -m module`: the module stands for the script. */
  module?: string;
}
const SHELL: Runner = { inline: 'cs', valued: 'oO', long: { inline: [], valued: ['--rcfile', '--init-file'] } };
const RUNNERS: [RegExp, Runner][] = [
  [/^(sh|bash|dash|zsh|ksh|mksh|ash|fish)$/, SHELL],
  [/^(python|pypy)[\d.]*$/, { inline: 'c', valued: 'WX', module: 'm' }],
  [/^(node|nodejs)$/, { inline: 'ep', valued: 'rC', long: { inline: ['--eval', '--print'], valued: ['--require', '--import', '--loader', '--experimental-loader', '--conditions', '--input-type', '--title'] } }],
  [/^perl[\d.]*$/, { inline: 'eE', valued: 'IMm' }],
  [/^ruby[\d.]*$/, { inline: 'e', valued: 'IrCE' }],
  [/^php[\d.]*$/, { inline: 'rBRE', valued: 'cdz' }],
  [/^lua[\d.]*$/, { inline: 'e', valued: 'l' }],
  [/^tclsh[\d.]*$/, { inline: '', valued: '' }],
];

const excerpt = (words: readonly string[], max = 120): string => {
  const line = words.join(' ').replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

/** Where the loader's program starts, and the argv[0] it is given. */
function loaderTarget(args: readonly string[]): { path: string; argv0: string; args: string[] } | undefined {
  let argv0: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '--') i++;
    else if (LOADER_VALUED.has(a)) {
      if (a === '--argv0') argv0 = args[i + 1];
      i++;
      continue;
    } else if (a.startsWith('--')) continue;
    const path = args[i];
    return path === undefined ? undefined : { path, argv0: argv0 ?? path, args: args.slice(i + 1) };
  }
  return undefined;
}

/**
 * Every program a process runs in-process, as [name, ...args]: itself under the name of its path and of its
 * argv[0], and what a loader or busybox runs inside it.
 */
function programs(path: string, argv: readonly string[]): string[][] {
  const out: string[][] = [];
  const visit = (names: string[], args: string[], depth: number): void => {
    for (const name of new Set(names.filter((n) => n.length > 0))) {
      out.push([name, ...args]);
      if (depth >= MAX_DEPTH) continue;
      const inner = LOADER.test(name) ? loaderTarget(args) : undefined;
      if (inner) visit([programName(inner.path), programName(inner.argv0)], inner.args, depth + 1);
      const applet = args[0];
      if (name === 'busybox' && applet !== undefined && !applet.startsWith('-')) visit([programName(applet)], args.slice(1), depth + 1);
    }
  };
  visit([programName(path), programName(argv[0] ?? '')], argv.slice(1), 0);
  return out;
}

/** The script a runner reads (`bash deploy.sh`, `python3 -m deploy`), with the arguments after it. */
function scriptOperand(name: string, args: readonly string[]): { script: string; rest: string[] } | undefined {
  const runner = RUNNERS.find(([pattern]) => pattern.test(name.replace(/^-/, '')))?.[1];
  if (!runner) return undefined;
  const at = (i: number, script: string | undefined) => (script === undefined ? undefined : { script, rest: args.slice(i + 1) });
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '--') return at(i + 1, args[i + 1]);
    if (a === '-') return undefined;
    if (a.startsWith('--')) {
      const option = a.split('=')[0] ?? a;
      if (runner.long?.inline.includes(option)) return undefined;
      if (runner.long?.valued.includes(option) && !a.includes('=')) i++;
      continue;
    }
    if (!/^[-+]./.test(a)) return at(i, a);
    // A cluster of letters: an inline-code letter means no script; a valued letter takes the rest or the next word.
    for (let j = 1; j < a.length; j++) {
      const letter = a.charAt(j);
      if (runner.inline.includes(letter)) return undefined;
      const last = j === a.length - 1;
      if (letter === runner.module) return last ? at(i + 1, args[i + 1]) : at(i, a.slice(j + 1));
      if (runner.valued.includes(letter)) {
        if (last) i++;
        break;
      }
    }
  }
  return undefined;
}

/** `Deploy.prod.sh` → deploy.prod.sh and deploy: a program's name with and without its extensions. */
function stems(name: string): string[] {
  const lower = name.toLowerCase().replace(/^-/, '');
  const dot = lower.indexOf('.', 1);
  return dot > 0 ? [lower, lower.slice(0, dot)] : [lower];
}

/** True when `needles` occur in `haystack` in order (not necessarily adjacent). */
function inOrder(needles: readonly string[], haystack: readonly string[]): boolean {
  let at = 0;
  for (const word of haystack) if (at < needles.length && word.toLowerCase() === needles[at]) at++;
  return at === needles.length;
}

/** The first required-approval term the program (or the script it runs) is an instance of. */
function approvalTerm(runs: readonly string[][], terms: readonly string[]): string | undefined {
  const named: { names: string[]; rest: string[] }[] = [];
  for (const [name = '', ...args] of runs) {
    named.push({ names: stems(name), rest: args });
    const script = scriptOperand(name, args);
    if (script) named.push({ names: stems(programName(script.script)), rest: script.rest });
  }
  return terms.find((term) => {
    const [first, ...more] = term.trim().toLowerCase().split(/\s+/);
    return first !== undefined && first !== '' && named.some((n) => n.names.includes(first) && inOrder(more, n.rest));
  });
}

/**
 * Decides one exec from the program's resolved path and its real argv. A forbidden command matches the program
 * (the basename of the path or of argv[0], or what a loader or busybox runs) with its flag-aware matcher. An
 * approval term matches the program's name without extension (`deploy.sh` → deploy), or the script an interpreter
 * runs (`bash deploy.sh`), followed by the term's other words in order (`npm publish`). Pure: no I/O, never throws.
 */
export function checkExec(path: string, argv: readonly string[], rules: ExecRules): ExecVerdict {
  const runs = programs(path, argv);
  for (const rule of rules.forbiddenCommands) {
    const matcher = compileForbiddenCommand(rule);
    const hit = matcher && runs.find((candidate) => matcher.matches(candidate));
    if (hit) return { allowed: false, rule, reason: `"${rule}" is a forbidden command in this session's charter (ran: ${excerpt(hit)})` };
  }
  const term = approvalTerm(runs, rules.requiredApprovals);
  return term === undefined ? ALLOWED : { approval: term };
}
