// Reads a YAML or JSON file and maps value paths back to 1-based lines and columns.
// JSON is parsed by the YAML parser too (JSON is YAML), so both report positions the same way.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { ErrorCodes, TaskFileError } from '../session/errors.js';

/** File name endings the loaders read. */
export const FILE_EXTENSIONS = ['.yaml', '.yml', '.json'] as const;

export interface Position {
  line: number;
  column: number;
}

/** A parsed file: its plain data and a way to find where a value stands in it. */
export interface SourceFile {
  file: string;
  data: unknown;
  /**
   * Where the value at `path` is written. When it is missing, where its parent's key is (the nearest one
   * that exists). With `key`, the position of the last key itself rather than of its value.
   */
  at(path: readonly PropertyKey[], options?: { key?: boolean }): Position;
}

/** Reads and parses `file`; throws a {@link TaskFileError} when it is missing, of another type or not valid YAML. */
export async function readSource(file: string): Promise<SourceFile> {
  checkType(file);
  const text = await readFile(file, 'utf8').catch((error: unknown) => {
    throw unreadable(file, error);
  });
  return parseSource(file, text);
}

/** {@link readSource}, synchronously. */
export function readSourceSync(file: string): SourceFile {
  checkType(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw unreadable(file, error);
  }
  return parseSource(file, text);
}

function checkType(file: string): void {
  const ext = extname(file).toLowerCase();
  if (!(FILE_EXTENSIONS as readonly string[]).includes(ext)) {
    throw new TaskFileError(file, [{ message: `unsupported file type "${ext}"; use ${FILE_EXTENSIONS.join(', ')}` }]);
  }
}

function unreadable(file: string, error: unknown): TaskFileError {
  const code = (error as NodeJS.ErrnoException).code;
  const message = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder, not a file' : `cannot be read (${code ?? String(error)})`;
  return new TaskFileError(file, [{ message }], ErrorCodes.TASK_FILE_NOT_FOUND, { cause: error });
}

/** Parses YAML or JSON text read from `file` (the name is only used in errors). */
export function parseSource(file: string, text: string): SourceFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  if (doc.errors.length > 0) {
    throw new TaskFileError(
      file,
      doc.errors.map((error) => ({
        ...position(error.pos[0]),
        // The pretty message repeats the position and quotes the source; keep the sentence.
        message: `invalid ${extname(file).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${error.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '')}`,
      })),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (error) {
    // e.g. too many aliases (a "billion laughs" file)
    throw new TaskFileError(file, [{ line: 1, column: 1, message: error instanceof Error ? error.message : String(error) }], ErrorCodes.TASK_FILE, { cause: error });
  }
  return { file, data, at: (path, options) => position(offsetOf(doc, path, options?.key === true)) };
}

const start = (node: unknown): number | undefined =>
  node !== null && typeof node === 'object' && 'range' in node && Array.isArray(node.range) ? (node.range[0] as number) : undefined;

function offsetOf(doc: Document, path: readonly PropertyKey[], wantKey: boolean): number {
  let node: unknown = doc.contents;
  let offset = start(node) ?? 0;
  // Where the key of the current node was written, for fields missing under it.
  let parentKey = offset;
  for (const [index, segment] of path.entries()) {
    if (isAlias(node)) node = node.resolve(doc);
    let next: unknown;
    let keyOffset: number | undefined;
    if (isMap(node)) {
      const pair = node.items.find((item) => String(isScalar(item.key) ? item.key.value : item.key) === String(segment));
      if (pair === undefined) return parentKey;
      next = pair.value;
      keyOffset = start(pair.key);
    } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
      next = node.items[segment];
    } else {
      return parentKey;
    }
    if (wantKey && index === path.length - 1 && keyOffset !== undefined) return keyOffset;
    offset = start(next) ?? keyOffset ?? offset;
    parentKey = keyOffset ?? offset;
    node = next;
  }
  return offset;
}
