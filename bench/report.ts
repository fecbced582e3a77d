/** A goal of the issue and how this run did against it. */
export interface Goal {
  label: string;
  value: number;
  unit: string;
  target: string;
  pass: boolean;
}

export interface Table {
  head: string[];
  rows: (string | number)[][];
}

/** What one case hands back: tables to print, goals to judge, figures for the JSON line. */
export interface CaseResult {
  name: string;
  tables: Table[];
  notes: string[];
  goals: Goal[];
  data: Record<string, unknown>;
}

export interface BenchCase {
  name: string;
  title: string;
  run: () => Promise<CaseResult>;
}

const cell = (value: string | number): string => (typeof value === 'number' ? String(value) : value);

/** Prints a table with aligned columns; numbers are right-aligned. */
export function printTable(table: Table): void {
  const widths = table.head.map((h, i) => Math.max(h.length, ...table.rows.map((r) => cell(r[i] ?? '').length)));
  const line = (values: (string | number)[]): string =>
    values.map((v, i) => (typeof v === 'number' ? cell(v).padStart(widths[i] ?? 0) : cell(v).padEnd(widths[i] ?? 0))).join('  ');
  console.log(`  ${line(table.head)}`);
  console.log(`  ${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const row of table.rows) console.log(`  ${line(row)}`);
}

export const verdict = (pass: boolean): string => (pass ? 'PASS' : 'MISS');
