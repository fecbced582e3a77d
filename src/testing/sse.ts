import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_USAGE, type ModelStep, type ScriptedUsage } from './scenario.js';

type AnswerStep = Extract<ModelStep, { kind: 'text' | 'tool' }>;

const event = (name: string, data: unknown): string => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

// Splits a string in a few chunks so the client sees a real stream of deltas.
function chunks(text: string, size = 24): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length > 0 ? out : [''];
}

/** Streams one scripted answer as Anthropic Messages API server-sent events. */
export async function streamAnswer(
  res: ServerResponse,
  step: AnswerStep,
  model: string,
  fallbackUsage: ScriptedUsage | undefined,
  signal: AbortSignal,
): Promise<void> {
  const usage = { ...DEFAULT_USAGE, ...fallbackUsage, ...step.usage };
  const delayMs = step.kind === 'text' ? (step.chunkDelayMs ?? 0) : 0;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': `req_${randomUUID()}` });
  const send = async (name: string, data: unknown): Promise<void> => {
    if (delayMs > 0) await sleep(delayMs, undefined, { signal });
    if (!res.writableEnded) res.write(event(name, data));
  };

  await send('message_start', {
    type: 'message_start',
    message: {
      id: `msg_${randomUUID().replaceAll('-', '')}`,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: {
        input_tokens: usage.input,
        output_tokens: 1,
        cache_creation_input_tokens: usage.cacheCreation,
        cache_read_input_tokens: usage.cacheRead,
      },
    },
  });
  let index = 0;
  const { text } = step;
  if (text !== undefined) {
    await send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
    for (const part of chunks(text)) {
      await send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: part } });
    }
    await send('content_block_stop', { type: 'content_block_stop', index });
    index += 1;
  }
  if (step.kind === 'tool') {
    const id = `toolu_${randomUUID().replaceAll('-', '').slice(0, 24)}`;
    await send('content_block_start', {
      type: 'content_block_start',
      index,
      content_block: { type: 'tool_use', id, name: step.name, input: {} },
    });
    for (const part of chunks(JSON.stringify(step.input), 64)) {
      await send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: part } });
    }
    await send('content_block_stop', { type: 'content_block_stop', index });
  }
  await send('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: step.kind === 'tool' ? 'tool_use' : 'end_turn', stop_sequence: null },
    usage: { output_tokens: usage.output },
  });
  await send('message_stop', { type: 'message_stop' });
  res.end();
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

/** Answers with an Anthropic-style JSON error. */
export function sendApiError(res: ServerResponse, step: Extract<ModelStep, { kind: 'error' }>): void {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (step.retryAfterSec !== undefined) headers['retry-after'] = String(step.retryAfterSec);
  res.writeHead(step.status, headers);
  res.end(
    JSON.stringify({
      type: 'error',
      error: { type: step.errorType ?? ERROR_TYPES[step.status] ?? 'api_error', message: step.message ?? `scripted ${step.status}` },
    }),
  );
}
