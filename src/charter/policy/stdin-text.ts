// What a command reads on its stdin, when that can be known from the text alone: here-documents, here-strings,
// and pipes from echo, printf, cat and tee. Anything else on the left of a pipe (curl, base64 -d, rev...) is unknown.
import { decodeAnsiC, programName } from './shell-text.js';
import { WORD, type SimpleCommand } from './shell-words.js';

const MAX_PIPE_DEPTH = 8;

/** `printf FORMAT ARGS...` with only %s, %b and %% directives; undefined for any other directive. */
function printfText(args: readonly string[]): string | undefined {
  const [format = '', ...values] = args;
  const pieces = format.split(/(%[%sb])/);
  if (pieces.some((p, i) => i % 2 === 0 && p.includes('%'))) return undefined;
  let out = '';
  let next = 0;
  do {
    for (const [i, piece] of pieces.entries()) {
      if (i % 2 === 0) out += decodeAnsiC(piece);
      else if (piece === '%%') out += '%';
      else {
        const value = values[next++] ?? '';
        out += piece === '%b' ? decodeAnsiC(value) : value;
      }
    }
  } while (next < values.length && pieces.length > 1);
  return out;
}

/** `echo [-neE]... WORDS`: the words joined (escapes decoded with -e), and each word alone. */
function echoText(args: readonly string[]): string[] {
  let i = 0;
  let escapes = false;
  while (i < args.length && /^-[neE]+$/.test(args[i] ?? '')) escapes ||= (args[i++] ?? '').includes('e');
  const words = args.slice(i).map((w) => (escapes ? decodeAnsiC(w) : w));
  return [words.join(' '), ...words];
}

/** What `cmd` writes to stdout when the text tells, or undefined. */
function outputOf(cmd: SimpleCommand, depth: number): string[] | undefined {
  const [prog, ...args] = cmd.argv;
  const name = programName(prog ?? '');
  if (name === 'echo') return echoText(args);
  if (name === 'printf') {
    const text = printfText(args);
    return text === undefined ? undefined : [text];
  }
  // cat without file operands, and tee (whatever files it also writes), pass their stdin through.
  const passes = name === 'tee' || (name === 'cat' && args.every((a, i) => a === '-' || (a.startsWith('-') && !(cmd.flags[i + 1] ?? 0))));
  return passes ? stdinOf(cmd, depth + 1) : undefined;
}

/**
 * The texts `cmd` reads on stdin, as far as the command text tells; an empty list when nothing is fed to it (a
 * terminal or a file); undefined when a pipe feeds it text that cannot be known before it runs. Expansions are kept
 * as written (`$X`), so whoever parses the text as a script sees them.
 */
export function stdinOf(cmd: SimpleCommand, depth = 0): string[] | undefined {
  if (depth > MAX_PIPE_DEPTH || cmd.stdinUnknown === true) return undefined;
  const fed = cmd.pipedFrom ? outputOf(cmd.pipedFrom, depth) : [];
  if (fed === undefined) return undefined;
  return [...new Set([...cmd.stdin, ...fed])];
}

/** True when the word is a process substitution (`<(...)`), whose output cannot be known. */
export const isProcess = (flags: number): boolean => (flags & WORD.PROCESS) !== 0;
