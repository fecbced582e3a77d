// The parts of a tool call's input that forbidden patterns are tested against.

/** The text fields of a file-writing tool call worth checking, with how to describe each. */
export function fileFields(input: Record<string, unknown>): { label: string; value: string }[] {
  const path = input['file_path'] ?? input['notebook_path'];
  const where = typeof path === 'string' ? ` for ${path}` : '';
  const fields: { label: string; value: unknown }[] = [
    { label: `the file path ${String(input['file_path'])}`, value: input['file_path'] },
    { label: `the notebook path ${String(input['notebook_path'])}`, value: input['notebook_path'] },
    { label: `the content${where}`, value: input['content'] },
    { label: `the new text${where}`, value: input['new_string'] },
    { label: `the new cell source${where}`, value: input['new_source'] },
  ];
  const edits = input['edits'];
  if (Array.isArray(edits)) {
    edits.forEach((edit: unknown, i) => {
      const value = typeof edit === 'object' && edit !== null ? (edit as Record<string, unknown>)['new_string'] : undefined;
      fields.push({ label: `the new text of edit ${i + 1}${where}`, value });
    });
  }
  return fields.filter((f): f is { label: string; value: string } => typeof f.value === 'string');
}

/** Every string in a JSON value (keys included), up to `limit` characters in all; undefined past it. */
export function strings(value: unknown, limit: number): string[] | undefined {
  const out: string[] = [];
  let left = limit;
  const todo: unknown[] = [value];
  for (let v = todo.pop(); todo.length > 0 || v !== undefined; v = todo.pop()) {
    if (typeof v === 'string') {
      if ((left -= v.length) < 0) return undefined;
      out.push(v);
    } else if (Array.isArray(v)) for (const item of v as unknown[]) todo.push(item);
    else if (typeof v === 'object' && v !== null) {
      for (const [key, inner] of Object.entries(v)) {
        out.push(key);
        todo.push(inner);
      }
    }
  }
  return out;
}

/** A string JSON writes as is (no quotes, backslashes or control characters to escape). */
export const JSON_PLAIN = /^[^"\\\u0000-\u001f\u2028\u2029]*$/;
