import type { TriageRequest } from '../session/request.js';

const PATTERN = /^\/(.*)\/([a-z]*)$/s;

/** Turns a triage request read from JSON back into one with RegExp patterns ('/source/flags' strings). */
export function reviveTriage(value: TriageRequest): TriageRequest {
  if (typeof value.charter !== 'object' || value.charter === null) return value;
  const patterns = (value.charter.constraints?.forbiddenPatterns ?? []) as unknown as (string | RegExp)[];
  const forbiddenPatterns = patterns.map((p) => {
    if (typeof p !== 'string') return p;
    const match = PATTERN.exec(p);
    return match ? new RegExp(match[1] ?? '', match[2]) : new RegExp(p);
  });
  return { ...value, charter: { ...value.charter, constraints: { ...value.charter.constraints, forbiddenPatterns } } };
}
