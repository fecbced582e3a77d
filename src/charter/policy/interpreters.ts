// Inline code of script interpreters (awk, perl, python -c, node -e...) that runs shell commands: the string
// literals of code that calls system(), exec(), popen(), subprocess... are read as shell scripts. Best effort: code
// can build its strings at run time, which only the exec-level guard sees.
import type { Argv, Step } from './wrappers.js';

/** Calls (and operators) through which inline code runs a command line or a program. */
const RUNS_COMMANDS = /\|\s*["']|\b(system|exec\w*|popen\w*|spawn\w*|subprocess|Popen|check_output|check_call|getoutput|getstatusoutput|run|call|qx)\b|`|\|\s*getline|\bprint\s*\|/;
const LITERAL = /'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|`((?:[^`\\]|\\.)*)`/gs;
const MAX_LITERALS = 256;

interface Runner {
  /** Options whose value is inline code. */
  code: readonly string[];
  /** awk: without -f, the first operand is the program. */
  firstOperand?: boolean;
}

const RUNNERS: Record<string, Runner> = {
  awk: { code: ['--source', '-e'], firstOperand: true },
  perl: { code: ['-e', '-E'] },
  python: { code: ['-c'] },
  ruby: { code: ['-e'] },
  node: { code: ['-e', '--eval', '-p', '--print'] },
  php: { code: ['-r'] },
  lua: { code: ['-e'] },
};
const ALIASES: Record<string, string> = { gawk: 'awk', mawk: 'awk', nawk: 'awk', busybox_awk: 'awk', nodejs: 'node', pypy: 'python', pypy3: 'python' };

/** The runner of a program name (`python3.12` → python), if it is one. */
function runnerOf(name: string): Runner | undefined {
  const base = name.replace(/[\d.]+$/, '');
  const key = ALIASES[base] ?? base;
  return Object.hasOwn(RUNNERS, key) ? RUNNERS[key] : undefined;
}

const FIRST_LETTERS = new Set([...Object.keys(RUNNERS), ...Object.keys(ALIASES)].map((n) => n[0]));

/** True when `name` is an interpreter whose inline code is looked at (cheap: most names are not). */
export const isInterpreter = (name: string): boolean => FIRST_LETTERS.has(name[0]) && runnerOf(name) !== undefined;

/** The inline code given to an interpreter. */
function inlineCode(runner: Runner, words: readonly string[]): string[] {
  const code: string[] = [];
  let program = runner.firstOperand === true;
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? '';
    if (w === '-f' || w.startsWith('--file')) program = false;
    if (runner.code.includes(w)) code.push(words[++i] ?? '');
    else if (runner.code.some((o) => o.length === 2 && w.startsWith(o) && w.length > 2)) code.push(w.slice(2));
    else if (w === '-v' || w === '-F') i++; // awk options with a value
    else if (!w.startsWith('-') && program) {
      code.push(w);
      program = false;
    }
  }
  return code;
}

/** The string literals of code that runs commands, each alone and all joined (`system("rm", "-rf", "x")`). */
function commandLiterals(code: string): string[] {
  if (!RUNS_COMMANDS.test(code)) return [];
  const literals: string[] = [];
  for (const m of code.matchAll(LITERAL)) {
    literals.push((m[1] ?? m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1'));
    if (literals.length >= MAX_LITERALS) break;
  }
  return literals.length > 1 ? [...literals, literals.join(' ')] : literals;
}

/** What an interpreter's inline code runs through the shell, as far as its literals tell; undefined for other programs. */
export function interpreterStep(name: string, args: Argv): Step | undefined {
  const runner = runnerOf(name);
  if (!runner) return undefined;
  return { scripts: inlineCode(runner, args.words).flatMap(commandLiterals) };
}
