// A forgiving tokenizer for POSIX-ish shell: turns a command string into the simple commands it would run.
// It never throws; unbalanced quotes swallow the rest of the input into one word (fail closed).

/** One simple command: argv with quotes removed, assignments and redirections dropped. */
export interface SimpleCommand {
  argv: string[];
  /** Text fed to the command's stdin by here-documents and here-strings. */
  stdin: string[];
  /** The command on the left of a `|` feeding this one, when there is one. */
  pipedFrom?: SimpleCommand;
}

/** The result of parsing: every simple command at every nesting level, and whether the nesting limit was hit. */
export interface ParsedScript {
  commands: SimpleCommand[];
  overflow: boolean;
}

/** Nesting deeper than this (subshells, substitutions) is not descended; `overflow` is set instead. */
export const MAX_NESTING = 100;

const WORD_END = new Set([' ', '\t', '\r', '\n', ';', '&', '|', '(', ')', '<', '>']);
const RESERVED = new Set(['!', 'if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', 'for', 'case', 'esac', 'select', 'function', 'coproc']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/s;
const REDIRECT = /(?:\d+|&(?=>))?(?:>>|>\||>&|>|<<<|<<-|<<|<&|<>|<)/y;
const OPERATOR = /;;&|;;|;&|&&|\|\||\|&|[;&|]/y;
/** Unquoted `{ , }` are marked with private-use characters so that brace expansion can tell them apart. */
const BRACE = { open: '\uE000', comma: '\uE001', close: '\uE002' };
const UNQUOTED_BRACE = new Map([['{', BRACE.open], [',', BRACE.comma], ['}', BRACE.close]]);
const plain = (text: string): string => text.replace(/[\uE000-\uE002]/g, (c) => '{,}'.charAt(c.charCodeAt(0) - 0xe000));
const DQ_ESCAPABLE = new Set(['$', '`', '"', '\\']);
const ANSI_BODY = /(?:[^'\\]|\\.)*/sy;
const ANSI_ESCAPE = /\\(?:x([0-9a-fA-F]{1,2})|u([0-9a-fA-F]{1,4})|U([0-9a-fA-F]{1,8})|([0-7]{1,3})|c(.)|(.))/gs;
const ANSI_NAMED: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', v: '\v', '\\': '\\', "'": "'", '"': '"', '?': '?' };

type Mode = 'word' | 'dq' | 'brace' | 'heredoc';
interface Word { text: string; quoted: boolean }
interface Heredoc { delimiter: string; stripTabs: boolean; expand: boolean; target: SimpleCommand }

class Parser {
  readonly commands: SimpleCommand[] = [];
  overflow = false;
  private pos = 0;
  private pending: Heredoc[] = [];

  constructor(private readonly src: string, private depth: number) {}

  private peek(offset = 0): string {
    return this.src[this.pos + offset] ?? '';
  }

  /** Parses commands up to `close` (consumed) or the end of input. */
  parseList(close: string): void {
    let cmd: SimpleCommand = { argv: [], stdin: [] };
    let pipedFrom: SimpleCommand | undefined;
    const finish = (piped: boolean): void => {
      const used = cmd.argv.length > 0 || cmd.stdin.length > 0;
      if (used && pipedFrom) cmd.pipedFrom = pipedFrom;
      if (used) this.commands.push(cmd);
      pipedFrom = piped && used ? cmd : undefined;
      cmd = { argv: [], stdin: [] };
    };
    while (this.pos < this.src.length) {
      const start = this.pos;
      const c = this.peek();
      if (c === '#') {
        const end = this.src.indexOf('\n', this.pos);
        this.pos = end < 0 ? this.src.length : end;
      } else if (c === ' ' || c === '\t' || c === '\r' || c === close || c === '\n' || c === '(' || c === ')') {
        this.pos++;
        if (c === close) return finish(false);
        if (c !== ' ' && c !== '\t' && c !== '\r') finish(false);
        if (c === '\n') this.readHeredocBodies();
        if (c === '(') this.nest(')');
      } else if (this.redirect(cmd)) continue;
      else if (c === ';' || c === '&' || c === '|') {
        OPERATOR.lastIndex = this.pos;
        const op = OPERATOR.exec(this.src)?.[0] ?? c;
        this.pos += op.length;
        finish(op === '|' || op === '|&');
      } else {
        const word = this.readWord();
        const text = plain(word.text);
        if (word.text === BRACE.open || word.text === BRACE.close) finish(false);
        else if (cmd.argv.length > 0 || !(ASSIGNMENT.test(text) || (!word.quoted && RESERVED.has(text)))) {
          cmd.argv.push(...expandBraces(word.text).map(plain));
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
    REDIRECT.lastIndex = this.pos;
    const op = REDIRECT.exec(this.src)?.[0];
    if (op === undefined) return false;
    if ((op === '<' || op === '>') && this.peek(1) === '(') return false; // process substitution: a word
    this.pos += op.length;
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
    const c = this.peek();
    if (c === '' || (WORD_END.has(c) && !((c === '<' || c === '>') && this.peek(1) === '('))) return true;
    const target = this.readWord();
    if (op === '<<<') cmd.stdin.push(plain(target.text));
    else if (op === '<<' || op === '<<-') {
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
      doc.target.stdin.push(body);
      if (doc.expand) this.sub(body, true);
    }
  }

  /** Parses `text` as a separate script (backticks, here-doc expansions), merging what it finds. */
  private sub(text: string, heredoc = false): void {
    this.deeper(() => {
      const inner = new Parser(text, this.depth);
      if (heredoc) inner.readText('heredoc');
      else inner.parseList('');
      for (const cmd of inner.commands) this.commands.push(cmd);
      this.overflow ||= inner.overflow;
    }, undefined);
  }

  private readWord(): Word {
    const start = this.pos;
    if ((this.peek() === '<' || this.peek() === '>') && this.peek(1) === '(') {
      this.pos += 2;
      this.nest(')');
      return { text: this.src.slice(start, this.pos), quoted: true };
    }
    return this.readText('word');
  }

  /** Reads one word (or the inside of "...", ${...}, a here-doc body), removing quotes and escapes. */
  private readText(mode: Mode): Word {
    let text = '';
    let quoted = false;
    const unquoted = mode === 'word' || mode === 'brace';
    for (;;) {
      const c = this.peek();
      if (c === '' || (mode === 'word' && WORD_END.has(c))) return { text, quoted };
      this.pos++;
      if ((mode === 'dq' && c === '"') || (mode === 'brace' && c === '}')) return { text, quoted };
      if (c === '\\') {
        const next = this.peek();
        this.pos += next === '' ? 0 : 1;
        if (next !== '\n') text += unquoted || DQ_ESCAPABLE.has(next) ? next : c + next;
        quoted = true;
      } else if (c === "'" && unquoted) {
        text += this.until("'");
        quoted = true;
      } else if (c === '"' && mode !== 'dq' && mode !== 'heredoc') {
        text += this.deeper(() => this.readText('dq').text, c);
        quoted = true;
      } else if (c === '`') {
        const body = this.backticks();
        text += `\`${body}\``;
      } else if (c === '$' && this.peek() === '(') {
        const start = this.pos - 1;
        this.pos++;
        this.nest(')');
        text += this.src.slice(start, this.pos);
      } else if (c === '$' && this.peek() === '{') {
        this.pos++;
        text += this.deeper(() => `\${${this.readText('brace').text}}`, '${');
      } else if (c === '$' && unquoted && (this.peek() === "'" || this.peek() === '"')) {
        this.pos++;
        text += this.src[this.pos - 1] === "'" ? this.ansiC() : this.deeper(() => this.readText('dq').text, '"');
        quoted = true;
      } else text += (mode === 'word' && UNQUOTED_BRACE.get(c)) || c;
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
      const c = this.src[this.pos++] ?? '';
      if (c === '`') break;
      if (c === '\\' && (this.peek() === '`' || this.peek() === '\\' || this.peek() === '$')) body += this.src[this.pos++] ?? '';
      else body += c;
    }
    this.sub(body);
    return body;
  }

  /** Decodes $'...' (ANSI-C quoting), the opening `$'` consumed. */
  private ansiC(): string {
    ANSI_BODY.lastIndex = this.pos;
    const body = ANSI_BODY.exec(this.src)?.[0] ?? '';
    this.pos += body.length + 1;
    return body.replace(ANSI_ESCAPE, (_m, x?: string, u?: string, U?: string, oct?: string, ctl?: string, other?: string) => {
      const hex = x ?? u ?? U;
      const code = hex !== undefined ? parseInt(hex, 16) : oct !== undefined ? parseInt(oct, 8) & 0xff : undefined;
      if (code !== undefined) return code <= 0x10ffff ? String.fromCodePoint(code) : '';
      return ctl !== undefined ? String.fromCharCode(ctl.charCodeAt(0) & 0x1f) : (ANSI_NAMED[other ?? ''] ?? `\\${other ?? ''}`);
    });
  }
}

/** Brace expansion (`r{m,}` → `rm r`) on the unquoted `{ , }` that `readText` marked; innermost group first. */
function expandBraces(word: string): string[] {
  const done: string[] = [];
  const todo = [word];
  for (let w = todo.pop(); w !== undefined; w = todo.pop()) {
    let open = -1;
    let parts: string[] | undefined;
    for (let i = 0; i < w.length && !parts; i++) {
      if (w[i] === BRACE.open) open = i;
      else if (w[i] === BRACE.close && open >= 0 && w.slice(open, i).includes(BRACE.comma)) {
        parts = w.slice(open + 1, i).split(BRACE.comma).map((part) => w.slice(0, open) + part + w.slice(i + 1));
      } else if (w[i] === BRACE.close) open = -1;
    }
    if (parts) todo.push(...parts.reverse());
    else done.push(w);
    if (done.length + todo.length > 64) return [word];
  }
  return done;
}

/** Parses a shell command string into every simple command it contains, at any nesting level. Never throws. */
export function parseShell(src: string, depth = 0): ParsedScript {
  const parser = new Parser(src, depth);
  parser.parseList('');
  return { commands: parser.commands, overflow: parser.overflow };
}

/** Splits a shell command string into the argv of each simple command it would run (quotes removed). */
export function splitCommands(src: string): string[][] {
  return parseShell(src).commands.map((c) => c.argv);
}
