// A charter's forbidden patterns as RE2 sets: one linear pass over a text finds the patterns it matches.
import { ttlMemo } from '../../utils/memo.js';
import { RE2JS, RE2Set } from 're2js';
import { compilePattern, ruleOf, type CompiledPattern, type PatternSource } from './patterns.js';

/** Some patterns, tested together. */
export interface Matcher {
  /** True when some pattern matches `text`. */
  test(text: string): boolean;
  /** The first pattern (in charter order) matching `text`, with the matched text when it is cheap to find. */
  firstMatch(text: string): { rule: string; match: string | undefined } | undefined;
}

/** A charter's patterns, compiled once, with the subsets a caller uses to avoid testing a text twice. */
export interface PatternSet extends Matcher {
  patterns: CompiledPattern[];
  /** Sum of the program sizes: the worst cost per character of a match. */
  cost: number;
  /** The unanchored patterns: one that matches a part of a text matches the whole text. */
  unanchored: Matcher | undefined;
  /**
   * The anchored patterns (`^`, `$`, `\b`...), which can match a part alone and not the whole. `mayMatch(whole)` is
   * false when no part of `whole` can match one (their loosened forms do not match it).
   */
  anchored: (Matcher & { mayMatch(whole: string): boolean }) | undefined;
}

/** Texts up to this size have their match quoted exactly; the capture-tracking matcher is slower than the test. */
const EXEC_LIMIT = 8 * 1024;
/** Larger texts are searched in windows of this size (half overlapping), at most `LOCATE_BUDGET` characters in all. */
const WINDOW = 4 * 1024;
const LOCATE_BUDGET = 256 * 1024;

/** The text a pattern matched, when it can be found cheaply; undefined otherwise. */
function locate(re: RE2JS, text: string): string | undefined {
  if (text.length <= EXEC_LIMIT) return (re.exec(text)?.[0] as string | undefined) ?? undefined;
  for (let start = 0; start < text.length && start < LOCATE_BUDGET; start += WINDOW / 2) {
    const window = text.slice(start, start + WINDOW);
    if (re.test(window)) return (re.exec(window)?.[0] as string | undefined) ?? undefined;
  }
  return undefined;
}

/** One RE2 set over the given RE2 sources, or undefined when they cannot be combined. */
function combine(sources: readonly string[]): RE2Set | undefined {
  if (sources.length < 2) return undefined;
  try {
    const set = new RE2Set(RE2Set.UNANCHORED, 0);
    for (const source of sources) set.add(source);
    set.compile();
    return set;
  } catch {
    return undefined;
  }
}

/** The index of the first of `patterns` that matches, with `sources` (one per pattern) combined into one pass. */
function finder(patterns: readonly CompiledPattern[], sources: readonly string[], test: (p: CompiledPattern, text: string) => boolean): (text: string) => number {
  const combined = combine(sources);
  return (text) => {
    if (combined) {
      try {
        return combined.match(text)[0] ?? -1;
      } catch {
        // fall through to one test per pattern
      }
    }
    return patterns.findIndex((p) => test(p, text));
  };
}

function matcher(patterns: CompiledPattern[]): Matcher {
  const find = finder(patterns, patterns.map((p) => p.inline), (p, text) => p.re.test(text));
  return {
    test: (text) => find(text) >= 0,
    firstMatch: (text) => {
      const hit = patterns[find(text)];
      return hit && { rule: hit.rule, match: locate(hit.re, text) };
    },
  };
}

function anchoredMatcher(patterns: CompiledPattern[]): PatternSet['anchored'] {
  if (patterns.length === 0) return undefined;
  const loose = combine(patterns.map((p) => p.loose));
  let single: RE2JS | undefined;
  try {
    single = patterns.length === 1 ? RE2JS.compile((patterns[0] as CompiledPattern).loose) : undefined;
  } catch {
    single = undefined;
  }
  const mayMatch = (whole: string): boolean => {
    try {
      if (loose) return loose.match(whole).length > 0;
      if (single) return single.test(whole);
    } catch {
      // cannot tell: it may match
    }
    return true;
  };
  return { ...matcher(patterns), mayMatch };
}

/**
 * Compiles a charter's patterns. A pattern that cannot be compiled is reported in `problems` (the caller fails
 * closed); validated charters have none.
 */
export function compilePatternSet(sources: readonly PatternSource[]): CompiledSet {
  return compiledSets(sources.map(ruleOf).join('\n'), () => compileNewSet(sources));
}

type CompiledSet = { set: PatternSet; problems: { rule: string; problem: string }[] };
// Sessions of one charter template share its compiled set (it is never changed once built).
const compiledSets = ttlMemo<CompiledSet>(Number.POSITIVE_INFINITY, 64);

function compileNewSet(sources: readonly PatternSource[]): CompiledSet {
  const patterns: CompiledPattern[] = [];
  const problems: { rule: string; problem: string }[] = [];
  for (const source of sources) {
    const compiled = compilePattern(source);
    if (typeof compiled === 'string') problems.push({ rule: ruleOf(source), problem: compiled });
    else patterns.push(compiled);
  }
  const unanchored = patterns.filter((p) => !p.anchored);
  const set: PatternSet = {
    ...matcher(patterns),
    patterns,
    cost: patterns.reduce((sum, p) => sum + p.size, 0),
    unanchored: unanchored.length > 0 ? matcher(unanchored) : undefined,
    anchored: anchoredMatcher(patterns.filter((p) => p.anchored)),
  };
  return { set, problems };
}
