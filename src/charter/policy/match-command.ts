// Compiles a forbidden command such as 'rm -rf' or 'git push --force' into a matcher over argv arrays.
import { splitCommands } from './shell-words.js';
import { programName } from './unwrap.js';

/** A compiled forbidden command. */
export interface CommandMatcher {
  /** The rule as written in the charter. */
  rule: string;
  /** Program basename the rule is about ('rm', 'git'). */
  program: string;
  /** Canonical flags that must all be present, anywhere after the program. */
  flags: string[];
  /** Positional words (subcommands, operands) that must all appear, in this order. */
  words: string[];
  /** True when an expanded simple command (program first) is an instance of the rule. */
  matches(argv: readonly string[]): boolean;
}

/** Flag spellings that mean the same thing for one program (or program + subcommand). */
interface FlagTable {
  short: Map<string, string[]>;
  long: Map<string, string[]>;
  /** Positional words that imply flags (`git push origin +main` forces). */
  word?: (word: string) => string[];
}

const table = (short: Record<string, string[]>, long: Record<string, string[]>, word?: FlagTable['word']): FlagTable => ({
  short: new Map(Object.entries(short)),
  long: new Map(Object.entries(long)),
  ...(word ? { word } : {}),
});

const recursiveForce = table(
  { r: ['recursive'], R: ['recursive'], f: ['force'] },
  { recursive: ['recursive'], force: ['force'] },
);
const recursive = table({ R: ['recursive'] }, { recursive: ['recursive'] });

/** Keyed by program, or by 'program subcommand' where the subcommand decides what flags mean. */
const FLAG_TABLES = new Map<string, FlagTable>([
  ['rm', recursiveForce],
  ['cp', recursiveForce],
  ['chmod', recursive],
  ['chown', recursive],
  ['chgrp', recursive],
  [
    'git push',
    table({ f: ['force'] }, { force: ['force'], 'force-with-lease': ['force'] }, (w) =>
      w.length > 1 && w.startsWith('+') ? ['force'] : [],
    ),
  ],
  ['git clean', table({ f: ['force'] }, { force: ['force'] })],
  ['git branch', table({ D: ['delete', 'force'], d: ['delete'], f: ['force'] }, { delete: ['delete'], force: ['force'] })],
  ['git checkout', table({ f: ['force'] }, { force: ['force'] })],
]);

/** Canonical names of a long flag, accepting unambiguous abbreviations as GNU getopt and git do. */
function longFlag(name: string, flags: FlagTable | undefined): string[] {
  const exact = flags?.long.get(name);
  if (exact) return exact;
  const expansions = [...(flags?.long ?? [])].filter(([key]) => key.startsWith(name)).map(([, canon]) => canon.join(' '));
  const distinct = new Set(expansions);
  const only = [...distinct][0];
  return distinct.size === 1 && only !== undefined && name.length > 0 ? only.split(' ') : [`--${name}`];
}

/** Splits the words after a program into canonical flags and positional words. */
function features(args: readonly string[], flags: FlagTable | undefined): { flags: Set<string>; words: string[] } {
  const found = new Set<string>();
  const words: string[] = [];
  let options = true;
  for (const arg of args) {
    if (options && arg === '--') options = false;
    else if (options && arg.startsWith('--')) longFlag(arg.slice(2).split('=')[0] ?? '', flags).forEach((f) => found.add(f));
    else if (options && arg.startsWith('-') && arg.length > 1) {
      for (const letter of arg.slice(1)) (flags?.short.get(letter) ?? [`-${letter}`]).forEach((f) => found.add(f));
    } else {
      words.push(arg);
      flags?.word?.(arg).forEach((f) => found.add(f));
    }
  }
  return { flags: found, words };
}

/** True when `needles` occur in `haystack` in order (not necessarily adjacent). */
function inOrder(needles: readonly string[], haystack: readonly string[]): boolean {
  let at = 0;
  for (const word of haystack) if (at < needles.length && word === needles[at]) at++;
  return at === needles.length;
}

/**
 * Compiles a forbidden command ('rm -rf', 'git push --force', 'curl') into a matcher, or undefined when
 * the rule has no words. The rule is tokenized like shell, so it may itself be quoted.
 */
export function compileForbiddenCommand(rule: string): CommandMatcher | undefined {
  const argv = splitCommands(rule)[0];
  const first = argv?.[0];
  if (argv === undefined || first === undefined) return undefined;
  const program = programName(first);
  const rest = argv.slice(1);
  const subcommand = rest.find((w) => !w.startsWith('-'));
  const flagTable = FLAG_TABLES.get(`${program} ${subcommand ?? ''}`) ?? FLAG_TABLES.get(program);
  const required = features(rest, flagTable);
  return {
    rule,
    program,
    flags: [...required.flags],
    words: required.words,
    matches(candidate) {
      const [name, ...args] = candidate;
      if (name === undefined || programName(name) !== program) return false;
      const present = features(args, flagTable);
      return [...required.flags].every((f) => present.flags.has(f)) && inOrder(required.words, present.words);
    },
  };
}
