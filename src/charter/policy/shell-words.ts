// A forgiving tokenizer for POSIX-ish shell: turns a command string into the simple commands it would run.
// It never throws; unbalanced quotes swallow the rest of the input into one word (fail closed). Its time is linear
// in the input at each nesting level: runs of ordinary characters are taken with one sticky regex each.
import { ansiEnd, BRACE, decodeAnsiC, expandBraces, plain } from './shell-text.js';

/** What the tokenizer could not resolve about a word (bits of `SimpleCommand.flags`). */
export const WORD = {
  /** Contains an expansion: `$x`, `${x}`, `$(...)`, `` `...` ``, quoted or not. */
  DYNAMIC: 1,
  /** May become several words, options included: an unquoted expansion, `"$@"`, `"${a[@]}"`, an unexpandable brace. */
  SPLIT: 2,
  /** Starts with an expansion, so it may start with `-`. */
  LEADING: 4,
  /** Its last path component (the program name, for a command word) comes from an expansion. */
  NAME_DYNAMIC: 8,
  /** Its last path component has an unquoted glob (`*`, `?`, `[`). */
  NAME_GLOB: 16,
  /** A process substitution, `<(...)` or `>(...)`. */
  PROCESS: 32,
} as const;

/** One simple command: argv with quotes removed, assignments and redirections dropped. */
export interface SimpleCommand {
  argv: string[];
  /** `WORD` bits of each word of `argv` (empty when all are 0: read it as `flags[i] ?? 0`). */
  flags: readonly number[];
  /** Text fed to the command's stdin by here-documents and here-strings. */
  stdin: readonly string[];
  /** True when the shell expands something in that text before the command reads it (`<<EOF` with `$`, `<<< "$x"`). */
  stdinDynamic: boolean;
  /** True when stdin comes from somewhere the text does not show: another descriptor (`<&3`), a process (`< <(...)`). */
  stdinUnknown?: boolean;
  /** The command on the left of a `|` feeding this one, when there is one. */
  pipedFrom?: SimpleCommand;
  /** True when `argv.join(' ')` occurs as such in the parsed text (no quotes, escapes or extra spacing). */
  verbatim: boolean;
}

/** The result of parsing: every simple command at every nesting level, and whether the nesting limit was hit. */
export interface ParsedScript {
  commands: SimpleCommand[];
  /** Names the script assigns (`NAME=value` before a command or alone), at any nesting level. */
  assigned: Set<string>;
  overflow: boolean;
}

/** Nesting deeper than this (subshells, substitutions) is not descended; `overflow` is set instead. */
export const MAX_NESTING = 100;

const RESERVED = new Set(['!', 'if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', 'for', 'case', 'esac', 'select', 'function', 'coproc']);
const REDIRECT_OPS = ['>>', '>|', '>&', '>', '<<<', '<<-', '<<', '<&', '<>', '<'];
const OPERATORS = [';;&', ';;', ';&', '&&', '||', '|&', ';', '&', '|'];
const SPECIAL_PARAMETER = '0123456789@*#?$!-';
const WORD_END = ' \t\r\n;&|()<>';
const DQ_ESCAPABLE = new Set(['$', '`', '"', '\\']);
const UNQUOTED_BRACE: Record<string, string> = { '{': BRACE.open, ',': BRACE.comma, '}': BRACE.close };
const GLOB = '*?[';

type Mode = 'word' | 'dq' | 'brace' | 'heredoc';
/** Per mode, the ASCII characters that end a run of plain text (a lookup table; regexes cost more per call). */
const table = (chars: string): Uint8Array => {
  const t = new Uint8Array(128);
  for (const c of chars) t[c.charCodeAt(0)] = 1;
  return t;
};
const STOPS: Record<Mode, Uint8Array> = {
  word: table(`${WORD_END}\\'"\`\${},${GLOB}`),
  dq: table('"\\`$'),
  brace: table('}\\\'"`$'),
  heredoc: table('\\`$'),
};
const BACKTICK_STOPS = table('`\\\\');
const WORD_ENDS = table(WORD_END);
const CLOSE: Partial<Record<Mode, string>> = { dq: '"', brace: '}' };

/** The end of the run of characters from `pos` that `stops` does not stop at. */
function runEnd(src: string, pos: number, stops: Uint8Array): number {
  let i = pos;
  for (; i < src.length; i++) {
    const code = src.charCodeAt(i);
    if (code < 128 && stops[code] === 1) break;
  }
  return i;
}

const isNameStart = (code: number): boolean => (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95;
const isNameChar = (code: number): boolean => isNameStart(code) || (code >= 48 && code <= 57);

/** The end of the shell name (`[A-Za-z_][A-Za-z0-9_]*`) at `pos`, or `pos` when there is none. */
function nameEnd(src: string, pos: number): number {
  if (!isNameStart(src.charCodeAt(pos))) return pos;
  let i = pos + 1;
  while (i < src.length && isNameChar(src.charCodeAt(i))) i++;
  return i;
}

/** True for an assignment word: `NAME=`, `NAME+=`, `NAME[...]=`. */
function isAssignment(word: string): boolean {
  let i = nameEnd(word, 0);
  if (i === 0) return false;
  if (word[i] === '[') {
    const close = word.indexOf(']', i);
    if (close < 0) return false;
    i = close + 1;
  }
  if (word[i] === '+') i++;
  return word[i] === '=';
}

/** The first of `ops` (longest first) at `pos`, or undefined. */
function operatorAt(src: string, pos: number, ops: readonly string[]): string | undefined {
  const c = src[pos];
  for (const op of ops) if (op[0] === c && (op.length === 1 || src.startsWith(op, pos))) return op;
  return undefined;
}

/** The redirection operator at `pos` (`2>`, `&>`, `<<<`...), or undefined. */
function redirectAt(src: string, pos: number): string | undefined {
  let i = pos;
  while (i < src.length && src.charCodeAt(i) >= 48 && src.charCodeAt(i) <= 57) i++;
  if (i === pos && src[i] === '&' && src[i + 1] === '>') i++;
  const op = operatorAt(src, i, REDIRECT_OPS);
  return op === undefined ? undefined : src.slice(pos, i) + op;
}

interface Word {
  text: string;
  quoted: boolean;
  /** The text is the source as written (nothing removed or decoded). */
  raw: boolean;
  /** The text has brace markers. */
  braces: boolean;
  /** The closing quote or brace was found (always true in word mode). */
  closed: boolean;
  flags: number;
  /** End of the last expansion in `text`, or -1. */
  dynEnd: number;
  /** Index of the last unquoted `*` or `?` in `text`, or -1. */
  globAt: number;
  /** Index of the last unquoted `[` in `text`, or -1 (a glob only with a `]` after it). */
  bracketAt: number;
}
interface Heredoc { delimiter: string; stripTabs: boolean; expand: boolean; target: SimpleCommand }

// Most commands have no flags and no stdin: they share these (never written to) instead of two arrays each.
const NONE: readonly never[] = Object.freeze<never[]>([]);
const newCommand = (): SimpleCommand => ({ argv: [], flags: NONE, stdin: NONE, stdinDynamic: false, verbatim: false });

/** Appends a word and its flags to `cmd`. */
function addWord(cmd: SimpleCommand, text: string, flags: number): void {
  cmd.argv.push(text);
  if (flags === 0 && cmd.flags === NONE) return;
  if (cmd.flags === NONE) cmd.flags = new Array<number>(cmd.argv.length - 1).fill(0);
  (cmd.flags as number[]).push(flags);
}
function addStdin(cmd: SimpleCommand, text: string): void {
  if (cmd.stdin === NONE) cmd.stdin = [text];
  else (cmd.stdin as string[]).push(text);
}
const newWord = (): Word => ({ text: '', quoted: false, raw: true, braces: false, closed: false, flags: 0, dynEnd: -1, globAt: -1, bracketAt: -1 });

/** Records that `w.text` got an expansion starting at `at`. */
function expansion(w: Word, at: number, split: boolean): void {
  w.flags |= WORD.DYNAMIC | (split ? WORD.SPLIT : 0) | (at === 0 ? WORD.LEADING : 0);
  w.dynEnd = w.text.length;
}

/** The `WORD` bits of a finished word, with those about its last path component. */
function finalFlags(w: Word): number {
  if (w.dynEnd < 0 && w.globAt < 0 && w.bracketAt < 0) return w.flags;
  const slash = w.text.lastIndexOf('/');
  const bracket = w.bracketAt > slash && w.text.includes(']', w.bracketAt + 1); // `[` alone is the test command
  return w.flags | (w.dynEnd > slash + 1 ? WORD.NAME_DYNAMIC : 0) | (w.globAt > slash || bracket ? WORD.NAME_GLOB : 0);
}

class Parser {
  readonly commands: SimpleCommand[] = [];
  readonly assigned = new Set<string>();
  overflow = false;
  private pos = 0;
  private pending: Heredoc[] = [];

  /** `exact`: `src` is the text being checked itself (not a decoded part of it), so `verbatim` can be told. */
  constructor(private readonly src: string, private depth: number, private readonly exact: boolean) {}

  /** Parses commands up to `close` (consumed) or the end of input. */
  parseList(close: string): void {
    const src = this.src;
    let cmd = newCommand();
    let pipedFrom: SimpleCommand | undefined;
    let lastEnd = -1;
    // Plain words separated by single spaces are not pushed one by one: the span is split once, when it ends.
    let spanStart = -1;
    const flush = (): void => {
      if (spanStart < 0) return;
      cmd.argv = src.slice(spanStart, lastEnd).split(' ');
      spanStart = -1;
    };
    const finish = (piped: boolean): void => {
      flush();
      const used = cmd.argv.length > 0 || cmd.stdin.length > 0;
      if (used && pipedFrom) cmd.pipedFrom = pipedFrom;
      if (used) this.commands.push(cmd);
      pipedFrom = piped && used ? cmd : undefined;
      cmd = newCommand();
    };
    while (this.pos < src.length) {
      const start = this.pos;
      const c = src[this.pos] ?? '';
      if (c === ' ' || c === '\t' || c === '\r') this.pos++;
      else if (c === '#') {
        const end = src.indexOf('\n', this.pos);
        this.pos = end < 0 ? src.length : end;
      } else if (c === close || c === '\n' || c === '(' || c === ')') {
        this.pos++;
        if (c === close) return finish(false);
        finish(false);
        if (c === '\n') this.readHeredocBodies();
        if (c === '(') this.nest(')');
      } else if ((c === '<' || c === '>' || c === '&' || (c >= '0' && c <= '9')) && this.redirect(cmd)) continue;
      else if (c === ';' || c === '&' || c === '|') {
        const op = operatorAt(src, this.pos, OPERATORS) ?? c;
        this.pos += op.length;
        finish(op === '|' || op === '|&');
      } else {
        // Fast path: a word of plain characters ending where words end (most words are).
        const end = runEnd(src, this.pos, STOPS.word);
        const stop = src.charCodeAt(end);
        if (end > this.pos && (end === src.length || (stop < 128 && WORD_ENDS[stop] === 1))) {
          this.pos = end;
          if (spanStart >= 0 && start === lastEnd + 1 && src[lastEnd] === ' ') {
            lastEnd = end; // one more word of the span
            continue;
          }
          flush();
          if (cmd.argv.length === 0) {
            const text = src.slice(start, end);
            if (isAssignment(text)) {
              this.assigned.add(text.slice(0, nameEnd(text, 0)));
              continue;
            }
            if (RESERVED.has(text)) continue;
            cmd.verbatim = this.exact;
            spanStart = start;
          } else {
            cmd.verbatim &&= this.exact && start === lastEnd + 1 && src[lastEnd] === ' ';
            addWord(cmd, src.slice(start, end), 0);
          }
          lastEnd = end;
          continue;
        }
        flush();
        const word = this.readWord();
        const text = word.braces ? plain(word.text) : word.text;
        if (word.braces && (word.text === BRACE.open || word.text === BRACE.close)) finish(false);
        else if (cmd.argv.length === 0 && isAssignment(text)) this.assigned.add(text.slice(0, nameEnd(text, 0)));
        else if (cmd.argv.length > 0 || !(!word.quoted && RESERVED.has(text))) {
          const words = word.braces ? expandBraces(word.text) : undefined;
          let flags = finalFlags(word);
          if (word.braces && words === undefined) flags |= WORD.DYNAMIC | WORD.SPLIT | WORD.LEADING | WORD.NAME_DYNAMIC;
          else if (words && words.length > 1) flags |= (flags & WORD.DYNAMIC ? WORD.NAME_DYNAMIC : 0) | (word.globAt >= 0 || word.bracketAt >= 0 ? WORD.NAME_GLOB : 0);
          const raw = word.raw && (words === undefined ? !word.braces : words.length === 1) && this.exact;
          cmd.verbatim = cmd.argv.length === 0 ? raw : cmd.verbatim && raw && start === lastEnd + 1 && src[lastEnd] === ' ';
          lastEnd = this.pos;
          if (words === undefined) addWord(cmd, text, flags);
          else for (const w of words) addWord(cmd, plain(w), flags);
        }
      }
      if (this.pos === start) this.pos++; // always make progress
    }
    finish(false);
  }

  /** Runs `parse` one level deeper; past the nesting limit, flags overflow and returns `flat` (the caller stays flat). */
  private deeper<T>(parse: () => T, flat: T): T {
    if (this.depth >= MAX_NESTING) {
      this.overflow = true;
      return flat;
    }
    this.depth++;
    const result = parse();
    this.depth--;
    return result;
  }

  /** Descends into `( ... )`, `$( ... )` or `<( ... )`. */
  private nest(close: string): void {
    this.deeper(() => this.parseList(close), undefined);
  }

  /** Consumes a redirection and its target (not argv); here-docs and here-strings feed `cmd.stdin`. */
  private redirect(cmd: SimpleCommand): boolean {
    const op = redirectAt(this.src, this.pos);
    if (op === undefined) return false;
    if ((op === '<' || op === '>') && this.src[this.pos + 1] === '(') return false; // process substitution: a word
    this.pos += op.length;
    while (this.src[this.pos] === ' ' || this.src[this.pos] === '\t') this.pos++;
    const c = this.src[this.pos] ?? '';
    if (c === '' || (WORD_END.includes(c) && !((c === '<' || c === '>') && this.src[this.pos + 1] === '('))) return true;
    const target = this.readWord();
    const fd = /^\d*/.exec(op)?.[0] ?? '';
    if ((fd === '' || fd === '0') && (op.endsWith('<&') || (op.endsWith('<') && target.flags & WORD.PROCESS)) && target.text !== '-') cmd.stdinUnknown = true;
    if (op === '<<<') {
      addStdin(cmd, target.braces ? plain(target.text) : target.text);
      cmd.stdinDynamic ||= (target.flags & WORD.DYNAMIC) !== 0;
    } else if (op === '<<' || op === '<<-') {
      this.pending.push({ delimiter: plain(target.text), stripTabs: op === '<<-', expand: !target.quoted, target: cmd });
    }
    return true;
  }

  /** After a newline, reads the bodies of the here-documents opened on the previous line. */
  private readHeredocBodies(): void {
    for (const doc of this.pending.splice(0)) {
      const lines: string[] = [];
      while (this.pos < this.src.length) {
        const end = this.src.indexOf('\n', this.pos);
        const raw = this.src.slice(this.pos, end < 0 ? this.src.length : end);
        this.pos = end < 0 ? this.src.length : end + 1;
        const line = doc.stripTabs ? raw.replace(/^\t+/, '') : raw;
        if (line === doc.delimiter) break;
        lines.push(line);
      }
      const body = lines.join('\n');
      addStdin(doc.target, body);
      if (doc.expand) {
        doc.target.stdinDynamic ||= /[$`]/.test(body);
        this.sub(body, true);
      }
    }
  }

  /** Parses `text` as a separate script (backticks, here-doc expansions), merging what it finds. */
  private sub(text: string, heredoc = false): void {
    this.deeper(() => {
      const inner = new Parser(text, this.depth, false);
      if (heredoc) inner.readText('heredoc');
      else inner.parseList('');
      for (const cmd of inner.commands) this.commands.push(cmd);
      for (const name of inner.assigned) this.assigned.add(name);
      this.overflow ||= inner.overflow;
    }, undefined);
  }

  private readWord(): Word {
    const start = this.pos;
    const c = this.src[this.pos];
    if ((c === '<' || c === '>') && this.src[this.pos + 1] === '(') {
      this.pos += 2;
      this.nest(')');
      const w = newWord();
      w.text = this.src.slice(start, this.pos);
      w.quoted = true;
      w.flags = WORD.PROCESS | WORD.DYNAMIC | WORD.LEADING;
      w.dynEnd = w.text.length;
      return w;
    }
    return this.readText('word');
  }

  /** Reads one word (or the inside of "...", ${...}, a here-doc body), removing quotes and escapes. */
  private readText(mode: Mode): Word {
    const src = this.src;
    const w = newWord();
    const unquoted = mode === 'word' || mode === 'brace';
    const stops = STOPS[mode];
    const close = CLOSE[mode];
    for (;;) {
      const end = runEnd(src, this.pos, stops);
      if (end > this.pos) {
        w.text += src.slice(this.pos, end);
        this.pos = end;
      }
      const c = src[this.pos];
      if (c === undefined || (mode === 'word' && WORD_END.includes(c))) {
        w.closed = mode === 'word';
        return w;
      }
      this.pos++;
      if (c === close) {
        w.closed = true;
        return w;
      }
      if (c === '\\') {
        const next = src[this.pos] ?? '';
        this.pos += next === '' ? 0 : 1;
        if (next !== '\n') w.text += unquoted || DQ_ESCAPABLE.has(next) ? next : c + next;
        w.quoted = true;
        w.raw = false;
      } else if (c === "'" && unquoted) {
        w.text += this.until("'");
        w.quoted = true;
        w.raw = false;
      } else if (c === '"' && unquoted) {
        const inner = this.deeper(() => this.readText('dq'), undefined);
        if (inner === undefined) w.text += c;
        else this.merge(w, inner);
        w.quoted = true;
        w.raw = false;
      } else if (c === '`') {
        const at = w.text.length;
        w.text += `\`${this.backticks()}\``;
        expansion(w, at, mode === 'word');
        w.raw = false;
      } else if (c === '$') this.dollar(w, mode);
      else if (mode === 'word' && (c === '{' || c === ',' || c === '}')) {
        w.text += UNQUOTED_BRACE[c] ?? c;
        w.braces = true;
      } else {
        if (mode === 'word' && (c === '*' || c === '?')) w.globAt = w.text.length;
        else if (mode === 'word' && c === '[') w.bracketAt = w.text.length;
        w.text += c;
      }
    }
  }

  /** Appends a double-quoted part to the word around it. */
  private merge(w: Word, inner: Word): void {
    const at = w.text.length;
    w.text += inner.text;
    if (inner.flags & WORD.DYNAMIC) {
      w.flags |= inner.flags & (WORD.DYNAMIC | WORD.SPLIT);
      if (at === 0 && inner.flags & WORD.LEADING) w.flags |= WORD.LEADING;
      w.dynEnd = at + inner.dynEnd;
    }
  }

  /** Reads what follows a `$` (consumed): a substitution, a parameter, `$'...'`, `$"..."`, or a plain `$`. */
  private dollar(w: Word, mode: Mode): void {
    const src = this.src;
    const next = src[this.pos] ?? '';
    const at = w.text.length;
    const split = mode === 'word';
    if (next === '(') {
      const start = this.pos - 1;
      this.pos++;
      this.nest(')');
      w.text += src.slice(start, this.pos);
      expansion(w, at, split);
    } else if (next === '{') {
      this.pos++;
      const inner = this.deeper(() => this.readText('brace'), undefined);
      w.text += inner === undefined ? '${' : `\${${inner.text}}`;
      w.raw &&= inner !== undefined && inner.raw && inner.closed;
      const all = inner !== undefined && (inner.text.startsWith('@') || inner.text.includes('[@]'));
      expansion(w, at, split || all);
    } else if ((next === "'" || next === '"') && (mode === 'word' || mode === 'brace')) {
      this.pos++;
      if (next === "'") {
        const end = ansiEnd(src, this.pos);
        w.text += decodeAnsiC(src.slice(this.pos, end));
        this.pos = Math.min(end + 1, src.length);
      } else {
        const inner = this.deeper(() => this.readText('dq'), undefined);
        if (inner === undefined) w.text += '"';
        else this.merge(w, inner);
      }
      w.quoted = true;
      w.raw = false;
    } else {
      const end = nameEnd(src, this.pos);
      const name = end > this.pos ? src.slice(this.pos, end) : next !== '' && SPECIAL_PARAMETER.includes(next) ? next : '';
      this.pos += name.length;
      w.text += `$${name}`;
      if (name !== '') expansion(w, at, split || name === '@');
    }
  }

  /** Text up to `quote` (consumed); an unbalanced quote takes the rest of the input. */
  private until(quote: string): string {
    const end = this.src.indexOf(quote, this.pos);
    const text = this.src.slice(this.pos, end < 0 ? this.src.length : end);
    this.pos = end < 0 ? this.src.length : end + 1;
    return text;
  }

  /** The body of `...` (opening backtick consumed), unescaped and parsed as its own script. */
  private backticks(): string {
    let body = '';
    while (this.pos < this.src.length) {
      const end = runEnd(this.src, this.pos, BACKTICK_STOPS);
      body += this.src.slice(this.pos, end);
      this.pos = end;
      const c = this.src[this.pos++] ?? '';
      if (c === '`') break;
      const next = this.src[this.pos] ?? '';
      if (c === '\\' && (next === '`' || next === '\\' || next === '$')) {
        body += next;
        this.pos++;
      } else body += c;
    }
    this.sub(body);
    return body;
  }
}

/** Parses a shell command string into every simple command it contains, at any nesting level. Never throws. */
export function parseShell(src: string, depth = 0): ParsedScript {
  const parser = new Parser(src, depth, true);
  parser.parseList('');
  return { commands: parser.commands, assigned: parser.assigned, overflow: parser.overflow };
}

/** Splits a shell command string into the argv of each simple command it would run (quotes removed). */
export function splitCommands(src: string): string[][] {
  return parseShell(src).commands.map((c) => c.argv);
}
