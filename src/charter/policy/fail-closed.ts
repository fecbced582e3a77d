// The parts of a command the shell resolves only when it runs: arguments from expansions given to a program that
// a forbidden command names, and aliases for such programs. The text layer refuses them rather than guess.
import type { CommandMatcher } from './match-command.js';
import { programName } from './shell-text.js';
import { WORD } from './shell-words.js';

/** Options that take a value before the subcommand, per program (so the subcommand can be found). */
const GLOBAL_VALUED: Record<string, ReadonlySet<string>> = {
  git: new Set(['-C', '-c', '--git-dir', '--work-tree', '--namespace', '--exec-path', '--config-env']),
};

const excerpt = (text: string, max = 80): string => {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

const POSITIONAL = /\$\{?[0-9@*]/;
const NAMES = /\$\{?[!#]?([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * True when an expanded word may carry options the script put there: a command substitution, a positional parameter
 * (`"$1"`, `"$@"`: what a function wrapping the program receives), or a variable the script itself sets (`F=-rf`).
 * A variable from the environment (`"$TMPFILE"`) or a loop over file names is left to the exec-level guard.
 */
function scriptControlled(word: string, assigned: ReadonlySet<string>): boolean {
  if (word.includes('$(') || word.includes('`') || POSITIONAL.test(word)) return true;
  for (const m of word.matchAll(NAMES)) if (assigned.has(m[1] ?? '')) return true;
  return false;
}

/**
 * The first argument of `argv` built from expansions that may supply the options `matcher` requires (so the
 * command may be an instance of the forbidden command), or undefined when the text settles it. Words after `--`
 * are not options; a static subcommand other than the rule's rules it out (`git log "$rev"` is no `git push`).
 */
export function dynamicOptions(matcher: CommandMatcher, argv: readonly string[], flags: readonly number[], assigned: ReadonlySet<string>): string | undefined {
  if (programName(argv[0] ?? '') !== matcher.program || flags.length === 0) return undefined;
  const valued = GLOBAL_VALUED[matcher.program];
  let options = true;
  let subcommandSeen = false;
  let suspect: string | undefined;
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i] ?? '';
    const f = flags[i] ?? 0;
    const dynamic = (f & WORD.DYNAMIC) !== 0;
    if (options && word === '--' && !dynamic) {
      options = false;
      continue;
    }
    const expanded = (f & (WORD.SPLIT | WORD.LEADING)) !== 0 || (dynamic && word.startsWith('-'));
    const mayBeOption = expanded && (f & WORD.PROCESS) === 0 && scriptControlled(word, assigned);
    if (options && mayBeOption) suspect ??= word;
    if (matcher.words.length > 0 && !subcommandSeen) {
      if (valued?.has(word) && !dynamic) {
        i++;
        continue;
      }
      if (dynamic && mayBeOption) subcommandSeen = true; // it may be the subcommand: keep going
      else if (!word.startsWith('-')) {
        if (word !== matcher.words[0]) return undefined; // another subcommand
        subcommandSeen = true;
      }
    }
  }
  return suspect;
}

/** The sentence for a command refused by {@link dynamicOptions}. */
export function dynamicOptionsReason(matcher: CommandMatcher, argv: readonly string[], word: string): string {
  return `"${matcher.rule}" is a forbidden command, and \`${excerpt(argv.join(' '))}\` gives ${matcher.program} arguments built from expansions (${excerpt(word, 40)}), which may add the forbidden options; write the options literally, or put -- before expanded arguments`;
}

/** The sentence for an alias (or `hash -p`) that stands for a program a forbidden command names. */
export function aliasReason(matcher: CommandMatcher, name: string): string {
  return `the command defines "${name}" as an alias for ${matcher.program}, a program with forbidden uses ("${matcher.rule}"), which the charter could no longer recognise; call ${matcher.program} directly`;
}
