// Forbidden patterns matched in linear time: each JS RegExp of the charter is translated to RE2 syntax and run
// by re2js (a pure-JS port of RE2: no backtracking, so no input can make a match take exponential time).
import { ttlMemo } from '../../utils/memo.js';
import { RE2JS } from 're2js';

/** A pattern as it can be posted to a worker thread: the RegExp's `source` and `flags`. */
export interface PatternSource {
  source: string;
  flags: string;
}

/** One compiled pattern. `rule` is how the charter writes it (`/deploy.*production/i`). */
export interface CompiledPattern {
  rule: string;
  /** True when the pattern may depend on where the text starts or ends (`^`, `$`, `\b`...). */
  anchored: boolean;
  /** Instructions in the RE2 program: the cost per input character when RE2 falls back from its DFA. */
  size: number;
  re: RE2JS;
  /** The RE2 syntax, with the flags inline (`(?i:...)`), for combining patterns into one set. */
  inline: string;
  /** The same with its anchors and word boundaries removed: it matches wherever the pattern matches part of a text. */
  loose: string;
}

/** Patterns whose RE2 program is larger than this are refused: the fallback matcher's cost grows with it. */
export const MAX_PROGRAM_SIZE = 2000;

const FLAG_BITS: Record<string, number> = { i: RE2JS.CASE_INSENSITIVE, m: RE2JS.MULTILINE, s: RE2JS.DOTALL };
/** Flags without effect on a yes/no test: g and y (state between calls), d (indices), u (RE2 is Unicode-aware). */
const IGNORED_FLAGS = new Set(['g', 'y', 'd', 'u']);
/** JS `\s` (ECMAScript WhiteSpace and LineTerminator); RE2's `\s` is ASCII only. */
const JS_SPACE = '\\t\\n\\x0B\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}';
const ANCHORS = /[\^$]|\\[bBAzZ]/;

/**
 * Adapts translated RE2 syntax to JavaScript's meaning of escapes: `\s` widened to JS whitespace (RE2's is ASCII
 * only), in and outside character classes, so a pattern matches at least what it did; `[\b]` is a backspace.
 */
function adaptEscapes(re2: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < re2.length; i++) {
    const c = re2[i] ?? '';
    if (c === '\\') {
      const next = re2[i + 1] ?? '';
      if (next === 's') out += inClass ? JS_SPACE : `[${JS_SPACE}]`;
      else out += inClass && next === 'b' ? '\\x08' : c + next;
      i++;
    } else if (c === '[' && !inClass) {
      inClass = true;
      out += c;
      if (re2[i + 1] === '^') out += re2[++i] ?? '';
      if (re2[i + 1] === ']') out += re2[++i] ?? ''; // a leading `]` is literal in RE2
    } else {
      if (c === ']') inClass = false;
      out += c;
    }
  }
  return out;
}

/** True when a JS pattern source uses lookaround or a backreference (which RE2 cannot run). */
function usesLookaround(source: string): boolean {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      if ((next >= '1' && next <= '9') || (next === 'k' && source[i + 2] === '<')) return true;
      i++;
    } else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (!inClass && c === '(' && /^\(\?<?[=!]/.test(source.slice(i, i + 4))) return true;
  }
  return false;
}

/** The RE2 syntax and flag bits of a JS pattern, or why it has none. */
function translate(pattern: PatternSource): { re2: string; flags: number; inline: string } | string {
  let flags = 0;
  let inline = '';
  for (const f of pattern.flags) {
    const bit = FLAG_BITS[f];
    if (bit !== undefined) {
      flags |= bit;
      inline += f;
    } else if (!IGNORED_FLAGS.has(f)) return `uses the flag '${f}', which the linear-time matcher does not support (use i, m, s)`;
  }
  if (usesLookaround(pattern.source)) {
    return 'uses lookaround or a backreference, which a linear-time matcher cannot run; rewrite it without (?=, (?!, (?<=, (?<!, \\1 or \\k<name>';
  }
  return { re2: adaptEscapes(RE2JS.translateRegExp(pattern.source)), flags, inline };
}

/** RE2 syntax without its anchors (`^ $ \A \z`) and word boundaries (`\b \B`) outside character classes. */
function loosen(re2: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < re2.length; i++) {
    const c = re2[i] ?? '';
    if (c === '\\') {
      const next = re2[i + 1] ?? '';
      if (inClass || !'bBAz'.includes(next)) out += c + next;
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
      out += c;
    } else if (c === '[') {
      inClass = true;
      out += c;
      if (re2[i + 1] === '^') out += re2[++i] ?? '';
      if (re2[i + 1] === ']') out += re2[++i] ?? '';
    } else if (c !== '^' && c !== '$') out += c;
  }
  return out;
}

/** How a charter writes a pattern, as `String(regexp)` does: `/source/flags`. */
export const ruleOf = (p: PatternSource): string => `/${p.source}/${p.flags}`;

// Charters repeat their patterns: every session of a template, and validation before the guard.
// Compiled patterns are immutable, so one is shared by every charter that writes it.
const compiledPatterns = ttlMemo<CompiledPattern | string>(Number.POSITIVE_INFINITY, 1024);

/** Compiles one pattern, or returns why it cannot be matched in linear time. Never throws. */
export function compilePattern(pattern: PatternSource): CompiledPattern | string {
  return compiledPatterns(ruleOf(pattern), () => compileNew(pattern));
}

function compileNew(pattern: PatternSource): CompiledPattern | string {
  const t = translate(pattern);
  if (typeof t === 'string') return t;
  let re: RE2JS;
  try {
    re = RE2JS.compile(t.re2, t.flags);
  } catch (error) {
    return `cannot be matched in linear time: ${error instanceof Error ? error.message : String(error)}`;
  }
  const size = re.programSize();
  if (size > MAX_PROGRAM_SIZE) return `is too complex to match in bounded time (${size} RE2 instructions, at most ${MAX_PROGRAM_SIZE})`;
  const inline = (re2: string): string => (t.inline === '' ? `(?:${re2})` : `(?${t.inline}:${re2})`);
  return { rule: ruleOf(pattern), anchored: ANCHORS.test(pattern.source), size, re, inline: inline(t.re2), loose: inline(loosen(t.re2)) };
}

/** Why a pattern cannot be a forbidden pattern, or undefined when it can (for config validation). */
export function patternProblem(pattern: PatternSource): string | undefined {
  const compiled = compilePattern(pattern);
  return typeof compiled === 'string' ? compiled : undefined;
}
