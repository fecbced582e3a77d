// Expands wrapper commands (sudo, env, bash -c, eval, xargs, find -exec...) to the commands they run, and notes
// what cannot be resolved from the text: a program name built from an expansion, a shell fed by an unknown pipe.
import { interpreterStep, isInterpreter } from './interpreters.js';
import { programName } from './shell-text.js';
import { parseShell, WORD, type SimpleCommand } from './shell-words.js';
import { WRAPPERS, slice, type Argv } from './wrappers.js';

export { programName } from './shell-text.js';

/** Scripts nested deeper than this (bash -c "bash -c '...'", eval) are not expanded; `overflow` is set instead. */
export const MAX_WRAPPER_DEPTH = 16;

/** Every simple command a script runs, wrappers and what they wrap alike, program names reduced to basenames. */
export interface ExpandedScript {
  commands: string[][];
  /** Per command: the `WORD` bits of each word (read as `flags[i] ?? 0`). */
  flags: (readonly number[])[];
  /** Per command: whether its text (`argv.join(' ')`) occurs as such in the input. */
  verbatim: boolean[];
  /** What cannot be resolved from the text, as sentences (a caller enforcing forbidden commands fails closed). */
  unresolved: string[];
  /** Variables the script sets (assignments, export/local/declare, read, mapfile, printf -v, getopts). */
  assigned: Set<string>;
  /** Aliases defined (alias, hash -p): the name and the commands it stands for. */
  aliases: { name: string; commands: string[][] }[];
  /** True when a nesting or size limit stopped the expansion: the result may be incomplete. */
  overflow: boolean;
}

interface Budget {
  words: number;
  chars: number;
}

const excerpt = (words: readonly string[]): string => {
  const text = words.join(' ').replace(/\s+/g, ' ');
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
};

/** Why a command's program cannot be known from the text, if it cannot. */
function unknownProgram(argv: Argv): string | undefined {
  const first = argv.flags[0] ?? 0;
  const word = argv.words[0] ?? '';
  if (first & WORD.NAME_DYNAMIC) return `the program name in \`${excerpt(argv.words)}\` is built from an expansion (${word.slice(0, 40)}), so what it runs cannot be checked; write the program name literally`;
  if (first & WORD.NAME_GLOB) return `the program name in \`${excerpt(argv.words)}\` is a glob pattern (${word.slice(0, 40)}), so what it runs cannot be checked; write the program name literally`;
  return undefined;
}

/** Builtins that set variables other than by `NAME=value` before a command. */
const SETTERS = new Set(['export', 'local', 'declare', 'typeset', 'readonly', 'read', 'mapfile', 'readarray', 'printf', 'getopts']);

/** The names a setter builtin sets (over-approximated: any plain name among its words). */
function setNames(program: string, words: readonly string[]): string[] {
  const args = words.slice(1);
  if (program === 'printf') return args[0] === '-v' && args[1] !== undefined ? [args[1]] : [];
  if (program === 'getopts') return args[1] !== undefined ? [args[1]] : [];
  return args.filter((a) => !a.startsWith('-')).map((a) => a.split(/[=[+]/)[0] ?? '').filter((a) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(a));
}

/** Records a simple command and what its wrappers run, directly or as scripts. */
function visit(first: Argv, cmd: SimpleCommand, depth: number, out: ExpandedScript, budget: Budget): void {
  // A stack, not recursion: `sudo sudo sudo ...` may nest as deep as the word budget allows.
  const todo = [first];
  for (let argv = todo.pop(); argv !== undefined; argv = todo.pop()) {
    const prog = argv.words[0];
    if (prog === undefined) continue;
    if ((budget.words -= argv.words.length) < 0) {
      out.overflow = true;
      return;
    }
    const name = programName(prog);
    // The words are never modified: a command whose program is already a basename is kept as it is.
    out.commands.push(name === prog ? argv.words : [name, ...argv.words.slice(1)]);
    out.flags.push(argv.flags);
    out.verbatim.push(argv.verbatim);
    if (SETTERS.has(name)) for (const set of setNames(name, argv.words)) out.assigned.add(set);
    const unknown = argv.flags.length > 0 ? unknownProgram(argv) : undefined;
    if (unknown !== undefined) out.unresolved.push(unknown);
    const wrapper = WRAPPERS.get(name);
    const step = wrapper ? wrapper(slice(argv, 1), cmd) : isInterpreter(name) ? interpreterStep(name, slice(argv, 1)) : undefined;
    if (!step) continue;
    if (step.unresolved !== undefined) out.unresolved.push(step.unresolved);
    const next = step.next ?? [];
    for (let i = next.length - 1; i >= 0; i--) todo.push(next[i] as Argv);
    for (const script of step.scripts ?? []) expandInto(script, depth + 1, out, budget);
    for (const alias of step.aliases ?? []) {
      const start = out.commands.length;
      expandInto(alias.script, depth + 1, out, budget);
      out.aliases.push({ name: alias.name, commands: out.commands.slice(start) });
    }
  }
}

function expandInto(src: string, depth: number, out: ExpandedScript, budget: Budget): void {
  if (depth > MAX_WRAPPER_DEPTH || (budget.chars -= src.length) < 0) {
    out.overflow = true;
    return;
  }
  const parsed = parseShell(src);
  out.overflow ||= parsed.overflow;
  for (const name of parsed.assigned) out.assigned.add(name);
  for (const cmd of parsed.commands) {
    if (out.overflow && budget.words < 0) return;
    visit({ words: cmd.argv, flags: cmd.flags, verbatim: depth === 0 && cmd.verbatim }, cmd, depth, out, budget);
  }
}

/** The last expansion, kept: the policy and the approval check of one tool call expand the same command. */
let last: { src: string; out: WeakRef<ExpandedScript> } | undefined;

/** Parses a shell command string and expands wrappers, returning every simple command it would run. Do not modify the result. */
export function expandCommands(src: string): ExpandedScript {
  const kept = last?.src === src ? last.out.deref() : undefined;
  if (kept) return kept;
  const out: ExpandedScript = { commands: [], flags: [], verbatim: [], unresolved: [], assigned: new Set(), aliases: [], overflow: false };
  // Budgets linear in the input: ample for real scripts, a cut-off for quadratic or exponential blow-ups.
  expandInto(src, 0, out, { words: 10_000 + 2 * src.length, chars: 64 * 1024 + 4 * src.length });
  last = { src, out: new WeakRef(out) };
  return out;
}
