// Text-level pieces of the shell tokenizer: ANSI-C quoting, brace expansion, program names.

/** `/usr/bin/git` → `git`, `./rm` → `rm`. */
export function programName(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1) || word;
}

/** Unquoted `{ , }` are marked with private-use characters so that brace expansion can tell them apart. */
export const BRACE = { open: '\uE000', comma: '\uE001', close: '\uE002' } as const;
const MARKERS = /[\uE000-\uE002]/g;

/** The text with brace markers turned back into `{ , }`. */
export const plain = (text: string): string => text.replace(MARKERS, (c) => '{,}'.charAt(c.charCodeAt(0) - 0xe000));

/** Words longer than this are not brace-expanded (kept as one word): expansion rescans the word per result. */
const MAX_BRACE_WORD = 64 * 1024;
const MAX_BRACE_RESULTS = 64;

/**
 * Brace expansion (`r{m,}` → `rm r`) on the unquoted `{ , }` marked in `word`; innermost group first. Markers stay.
 * Undefined when the word is too long or expands to too many words to be followed (the caller fails closed).
 */
export function expandBraces(word: string): string[] | undefined {
  if (!word.includes(BRACE.comma)) return [word];
  if (word.length > MAX_BRACE_WORD) return undefined;
  const done: string[] = [];
  const todo = [word];
  for (let w = todo.pop(); w !== undefined; w = todo.pop()) {
    let open = -1;
    let comma = false;
    let parts: string[] | undefined;
    for (let i = 0; i < w.length && !parts; i++) {
      const c = w[i];
      if (c === BRACE.open) {
        open = i;
        comma = false;
      } else if (c === BRACE.comma) comma ||= open >= 0;
      else if (c === BRACE.close && open >= 0 && comma) {
        parts = w.slice(open + 1, i).split(BRACE.comma).map((part) => w.slice(0, open) + part + w.slice(i + 1));
      } else if (c === BRACE.close) open = -1;
    }
    if (parts) todo.push(...parts.reverse());
    else done.push(w);
    if (done.length + todo.length > MAX_BRACE_RESULTS) return undefined;
  }
  return done;
}

const ANSI_ESCAPE = /\\(?:x([0-9a-fA-F]{1,2})|u([0-9a-fA-F]{1,4})|U([0-9a-fA-F]{1,8})|([0-7]{1,3})|c(.)|(.))/gs;
const ANSI_NAMED: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', v: '\v', '\\': '\\', "'": "'", '"': '"', '?': '?' };

/** Where the body of `$'...'` starting at `from` (after the opening quote) ends: the index of the closing quote, or the end. */
export function ansiEnd(src: string, from: number): number {
  let i = from;
  while (i < src.length) {
    const c = src.charCodeAt(i);
    if (c === 0x27) return i; // '
    i += c === 0x5c ? 2 : 1; // backslash escapes the next character
  }
  return src.length;
}

/** Decodes the body of `$'...'` (ANSI-C quoting). */
export function decodeAnsiC(body: string): string {
  if (!body.includes('\\')) return body;
  return body.replace(ANSI_ESCAPE, (_m, x?: string, u?: string, U?: string, oct?: string, ctl?: string, other?: string) => {
    const hex = x ?? u ?? U;
    const code = hex !== undefined ? parseInt(hex, 16) : oct !== undefined ? parseInt(oct, 8) & 0xff : undefined;
    if (code !== undefined) return code <= 0x10ffff ? String.fromCodePoint(code) : '';
    return ctl !== undefined ? String.fromCharCode(ctl.charCodeAt(0) & 0x1f) : (ANSI_NAMED[other ?? ''] ?? `\\${other ?? ''}`);
  });
}
