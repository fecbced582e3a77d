// Turns a session's event stream into what the session view shows (pure): the conversation items from
// Claude Code's stream-json messages and the guard's refusals, and the bounded stdout tail.

export const MAX_ITEMS = 500;
export const MAX_OUTPUT_CHARS = 200 * 1024;

export type Item =
  | { kind: 'text'; key: number; text: string }
  | { kind: 'tool_use'; key: number; id: string; name: string; input: unknown }
  | { kind: 'tool_result'; key: number; toolUseId: string; text: string; isError: boolean }
  | { kind: 'blocked'; key: number; toolName: string; input: unknown; reason: string }
  | { kind: 'result'; key: number; subtype: string; text: string; isError: boolean; costUsd?: number };

export interface Conversation {
  items: Item[];
  nextKey: number;
  /** How many items were dropped off the front to keep the bound. */
  dropped: number;
}

export const emptyConversation = (): Conversation => ({ items: [], nextKey: 0, dropped: 0 });

type DistOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type Draft = DistOmit<Item, 'key'>;

const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The text of a tool result's content: a string, or an array of `{type:'text', text}` blocks. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((block) => {
        const b = obj(block);
        if (b === undefined) return typeof block === 'string' ? block : '';
        return str(b['text']) ?? (b['type'] === 'image' ? '[image]' : '');
      })
      .filter((s) => s !== '')
      .join('\n');
  }
  return content === undefined || content === null ? '' : JSON.stringify(content);
}

/** The items one stream-json message adds (none for system messages and unknown types). */
export function itemsFromMessage(message: unknown): Draft[] {
  const m = obj(message);
  if (m === undefined) return [];
  const blocks = obj(m['message'])?.['content'];
  switch (m['type']) {
    case 'assistant': {
      if (typeof blocks === 'string') return blocks.trim() === '' ? [] : [{ kind: 'text', text: blocks }];
      if (!Array.isArray(blocks)) return [];
      const out: Draft[] = [];
      for (const raw of blocks) {
        const b = obj(raw);
        if (b?.['type'] === 'text') {
          const text = str(b['text']) ?? '';
          if (text.trim() !== '') out.push({ kind: 'text', text });
        } else if (b?.['type'] === 'tool_use') {
          out.push({ kind: 'tool_use', id: str(b['id']) ?? '', name: str(b['name']) ?? 'tool', input: b['input'] });
        }
      }
      return out;
    }
    case 'user': {
      if (!Array.isArray(blocks)) return [];
      const out: Draft[] = [];
      for (const raw of blocks) {
        const b = obj(raw);
        if (b?.['type'] !== 'tool_result') continue;
        out.push({
          kind: 'tool_result',
          toolUseId: str(b['tool_use_id']) ?? '',
          text: contentText(b['content']),
          isError: b['is_error'] === true,
        });
      }
      return out;
    }
    case 'result': {
      const cost = m['total_cost_usd'];
      return [
        {
          kind: 'result',
          subtype: str(m['subtype']) ?? '',
          text: str(m['result']) ?? '',
          isError: m['is_error'] === true,
          ...(typeof cost === 'number' ? { costUsd: cost } : {}),
        },
      ];
    }
    default:
      return [];
  }
}

/** The item a guard refusal (`blocked` event) adds. */
export function itemFromBlocked(data: unknown): Draft[] {
  const d = obj(data);
  if (d === undefined) return [];
  return [{ kind: 'blocked', toolName: str(d['toolName']) ?? 'tool', input: d['input'], reason: str(d['reason']) ?? '' }];
}

/** Appends items, dropping the oldest beyond `max`. */
export function appendItems(conv: Conversation, drafts: readonly Draft[], max = MAX_ITEMS): Conversation {
  if (drafts.length === 0) return conv;
  let key = conv.nextKey;
  const added = drafts.map((d) => ({ ...d, key: key++ }));
  const all = conv.items.concat(added);
  const over = Math.max(0, all.length - max);
  return { items: over > 0 ? all.slice(over) : all, nextKey: key, dropped: conv.dropped + over };
}

/** Appends an output chunk, keeping the last `max` characters (cut at a line start when one is near). */
export function appendTail(tail: string, chunk: string, max = MAX_OUTPUT_CHARS): { text: string; truncated: boolean } {
  const all = tail + chunk;
  if (all.length <= max) return { text: all, truncated: false };
  let cut = all.slice(all.length - max);
  const nl = cut.indexOf('\n');
  if (nl !== -1 && nl < 2000) cut = cut.slice(nl + 1);
  return { text: cut, truncated: true };
}

/** The text of an `output` event: a JSON string, or the raw data if it is not JSON. */
export function outputChunk(data: unknown): string {
  if (typeof data === 'string') return data;
  if (data === undefined || data === null) return '';
  return JSON.stringify(data);
}
