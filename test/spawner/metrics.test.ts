import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyMetrics, emptyTokenUsage, MetricsAccumulator } from '../../src/spawner/metrics.js';
import { estimateCostUsd, UNKNOWN_MODEL_PRICE } from '../../src/spawner/pricing.js';
import type {
  AssistantMessage,
  ResultMessage,
  StreamEventMessage,
  StreamMessage,
  SystemInitMessage,
  UserMessage,
  WireUsage,
} from '../../src/spawner/stream/messages.js';

const SESSION = '0b1c2d3e-0000-4000-8000-000000000000';
const MODEL = 'claude-sonnet-4-5-20250929';
// Any version string: the accumulator copies what system/init says.
const VERSION = '9.8.7';

// Message factories with the shapes the CLI writes in stream-json mode.
const init = (): SystemInitMessage => ({
  type: 'system',
  subtype: 'init',
  session_id: SESSION,
  cwd: '/tmp/work',
  model: MODEL,
  claude_code_version: VERSION,
  tools: ['Bash', 'Read', 'Write'],
  permissionMode: 'default',
});

let toolIds = 0;
const toolUse = (name: string, input: Record<string, unknown>) => ({ type: 'tool_use', id: `toolu_${++toolIds}`, name, input });

const assistant = (id: string, content: AssistantMessage['message']['content'], usage?: WireUsage, extra: Partial<AssistantMessage> = {}): AssistantMessage => ({
  type: 'assistant',
  message: { id, type: 'message', role: 'assistant', model: MODEL, content, stop_reason: null, usage } as AssistantMessage['message'],
  parent_tool_use_id: null,
  session_id: SESSION,
  ...extra,
});

const toolResult = (isError: boolean, content = 'output', toolUseId = 'toolu_x'): UserMessage => ({
  type: 'user',
  message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUseId, content, is_error: isError }] },
  parent_tool_use_id: null,
  session_id: SESSION,
});

const result = (over: Partial<ResultMessage> = {}): ResultMessage => ({
  type: 'result',
  subtype: 'success',
  is_error: false,
  duration_ms: 2000,
  duration_api_ms: 1500,
  num_turns: 1,
  result: 'Done.',
  session_id: SESSION,
  total_cost_usd: 0.0123,
  usage: { input_tokens: 10, output_tokens: 20, cache_creation_input_tokens: 30, cache_read_input_tokens: 40 },
  permission_denials: [],
  ...over,
});

const usage = (input: number, output: number, cacheCreation = 0, cacheRead = 0): WireUsage => ({
  input_tokens: input,
  output_tokens: output,
  cache_creation_input_tokens: cacheCreation,
  cache_read_input_tokens: cacheRead,
});

// `stream_event` lines as `--include-partial-messages` writes them (2.1.197).
const streamEvent = (event: StreamEventMessage['event'], parent: string | null = null, extra: Partial<StreamEventMessage> = {}): StreamEventMessage => ({
  type: 'stream_event',
  event,
  session_id: SESSION,
  parent_tool_use_id: parent,
  uuid: 'e0000000-0000-4000-8000-000000000000',
  ...extra,
});
const messageStart = (id: string, input: number, parent: string | null = null, model = MODEL, cacheCreation = 0, cacheRead = 0): StreamEventMessage =>
  streamEvent(
    { type: 'message_start', message: { id, type: 'message', role: 'assistant', model, content: [], usage: usage(input, 1, cacheCreation, cacheRead) } },
    parent,
  );
const messageDelta = (output: number, parent: string | null = null, extra: Partial<StreamEventMessage> = {}): StreamEventMessage =>
  streamEvent({ type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: output } }, parent, extra);
const messageStop = (parent: string | null = null): StreamEventMessage => streamEvent({ type: 'message_stop' }, parent);
const textDelta = (parent: string | null = null): StreamEventMessage =>
  streamEvent({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'abc' } }, parent);

/**
 * One model call as the CLI writes it with partial messages: message_start (input, 1 output token), content
 * deltas, the assistant line (which repeats message_start's usage), message_delta (the output), message_stop.
 */
const modelCall = (id: string, input: number, output: number, parent: string | null = null): StreamMessage[] => [
  messageStart(id, input, parent),
  textDelta(parent),
  assistant(id, [toolUse('Bash', { command: 'echo' })], usage(input, 1), { parent_tool_use_id: parent }),
  messageDelta(output, parent),
  messageStop(parent),
];

const feed = (messages: StreamMessage[]): MetricsAccumulator => {
  const m = new MetricsAccumulator();
  for (const message of messages) m.apply(message);
  return m;
};

void describe('MetricsAccumulator', () => {
  void it('starts empty', () => {
    const m = new MetricsAccumulator();
    assert.deepEqual(m.metrics, emptyMetrics());
    assert.deepEqual(m.tokenUsage, emptyTokenUsage());
    assert.equal(m.liveTokens, 0);
    assert.equal(m.costUsd, 0);
    assert.equal(m.lastResult, undefined);
  });

  void it('takes model and version from system/init', () => {
    const m = feed([init()]);
    assert.equal(m.model, MODEL);
    assert.equal(m.claudeCodeVersion, VERSION);
  });

  void it('counts Bash calls as commands and every tool call by name', () => {
    const m = feed([
      init(),
      assistant('msg_1', [{ type: 'text', text: 'Running tests' }, toolUse('Bash', { command: 'npm test', description: 'Run tests' })]),
      toolResult(false),
      assistant('msg_2', [toolUse('Bash', { command: 'ls' })]),
      assistant('msg_2', [toolUse('Read', { file_path: '/tmp/work/a.ts' })]),
    ]);
    assert.equal(m.metrics.commandsExecuted, 2);
    assert.deepEqual(m.metrics.toolCalls, { Bash: 2, Read: 1 });
    assert.equal(m.metrics.filesModified, 0);
  });

  void it('counts distinct paths written by Write, Edit, MultiEdit and NotebookEdit once their call succeeded', () => {
    // Each call followed by its successful tool result.
    const ok = (block: ReturnType<typeof toolUse>, id: string): StreamMessage[] => [assistant(id, [block]), toolResult(false, 'done', block.id)];
    const denied = toolUse('Write', { file_path: '/w/denied.ts', content: 'x' });
    const m = feed([
      ...ok(toolUse('Write', { file_path: '/w/a.ts', content: 'x' }), 'msg_1'),
      ...ok(toolUse('Edit', { file_path: '/w/a.ts', old_string: 'x', new_string: 'y' }), 'msg_2'),
      ...ok(toolUse('MultiEdit', { file_path: '/w/b.ts', edits: [] }), 'msg_3'),
      ...ok(toolUse('NotebookEdit', { notebook_path: '/w/n.ipynb', new_source: '' }), 'msg_4'),
      ...ok(toolUse('NotebookEdit', { notebook_path: '/w/n.ipynb', new_source: '' }), 'msg_5'),
      assistant('msg_6', [toolUse('Read', { file_path: '/w/c.ts' }), toolUse('Write', { content: 'no path' })]),
      assistant('msg_7', [denied]),
      toolResult(true, 'Permission denied', denied.id),
    ]);
    assert.equal(m.metrics.filesModified, 3);
    assert.deepEqual([...m.modifiedFiles].sort(), ['/w/a.ts', '/w/b.ts', '/w/n.ipynb']);
    assert.deepEqual(m.metrics.toolCalls, { Write: 3, Edit: 1, MultiEdit: 1, NotebookEdit: 2, Read: 1 });
    assert.equal(m.metrics.commandsExecuted, 0);
  });

  void it('counts failed tool results as tool errors and errors', () => {
    const m = feed([toolResult(true, 'command not found'), toolResult(false), toolResult(true)]);
    assert.equal(m.metrics.toolErrors, 2);
    assert.equal(m.metrics.errors, 2);
  });

  void it('ignores user messages with plain text content', () => {
    const m = feed([{ type: 'user', message: { role: 'user', content: 'hello' } }]);
    assert.deepEqual(m.metrics, emptyMetrics());
  });

  void it('records the error of a CLI-made assistant message', () => {
    const m = feed([
      assistant('msg_err1', [{ type: 'text', text: 'API Error: 429' }], usage(0, 0), { error: 'rate_limit' }),
      assistant('msg_err2', [{ type: 'text', text: 'Invalid API key' }], usage(0, 0), { error: 'authentication_failed' }),
    ]);
    assert.equal(m.lastAssistantError, 'authentication_failed');
    assert.equal(m.metrics.errors, 2);
    assert.equal(m.metrics.toolErrors, 0);
  });

  void it('takes tokens from the cumulative modelUsage of a result, summed over models', () => {
    const m = feed([
      init(),
      result({
        total_cost_usd: 0.25,
        usage: usage(1, 1, 1, 1),
        modelUsage: {
          [MODEL]: { inputTokens: 100, outputTokens: 50, cacheReadInputTokens: 1000, cacheCreationInputTokens: 200, costUSD: 0.2 },
          'claude-haiku-4-5': { inputTokens: 10, outputTokens: 5, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, costUSD: 0.05 },
        },
      }),
    ]);
    assert.deepEqual(m.tokenUsage, { input: 110, output: 55, cacheRead: 1000, cacheCreation: 200, total: 1365 });
    assert.equal(m.costUsd, 0.25);
    assert.equal(m.liveTokens, 1365);
  });

  void it('replaces the totals with a later cumulative modelUsage instead of adding it', () => {
    const first = { [MODEL]: { inputTokens: 100, outputTokens: 50, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 } };
    const second = { [MODEL]: { inputTokens: 250, outputTokens: 80, cacheReadInputTokens: 500, cacheCreationInputTokens: 20 } };
    const m = feed([result({ modelUsage: first, total_cost_usd: 0.1 }), result({ modelUsage: second, total_cost_usd: 0.3 })]);
    assert.deepEqual(m.tokenUsage, { input: 250, output: 80, cacheRead: 500, cacheCreation: 20, total: 850 });
    assert.equal(m.costUsd, 0.3);
  });

  void it('adds result.usage to the totals when there is no modelUsage', () => {
    const m = feed([
      result({ usage: usage(10, 20, 30, 40), modelUsage: undefined }),
      result({ usage: usage(1, 2, 3, 4), modelUsage: {} }),
    ]);
    assert.deepEqual(m.tokenUsage, { input: 11, output: 22, cacheCreation: 33, cacheRead: 44, total: 110 });
  });

  void it('adds result.usage on top of an earlier modelUsage total', () => {
    const m = feed([
      result({ modelUsage: { [MODEL]: { inputTokens: 100, outputTokens: 10 } } }),
      result({ usage: { input_tokens: 5, output_tokens: 5 }, modelUsage: undefined }),
    ]);
    assert.deepEqual(m.tokenUsage, { input: 105, output: 15, cacheCreation: 0, cacheRead: 0, total: 120 });
  });

  void it('keeps the cost when a result has none', () => {
    const m = feed([result({ total_cost_usd: 0.5 }), result({ total_cost_usd: undefined })]);
    assert.equal(m.costUsd, 0.5);
  });

  void it('grows liveTokens with the running turn, counting lines of one message once', () => {
    const m = new MetricsAccumulator();
    m.apply(init());
    assert.equal(m.liveTokens, 0);
    m.apply(assistant('msg_A', [{ type: 'text', text: 'thinking' }], usage(100, 10, 5, 0)));
    assert.equal(m.liveTokens, 115);
    // The CLI writes one line per content block; the lines share message.id and usage.
    m.apply(assistant('msg_A', [toolUse('Bash', { command: 'ls' })], usage(100, 10, 5, 0)));
    assert.equal(m.liveTokens, 115);
    m.apply(toolResult(false));
    m.apply(assistant('msg_B', [{ type: 'text', text: 'done' }], usage(120, 30, 0, 100)));
    assert.equal(m.liveTokens, 115 + 250);
    assert.equal(m.tokenUsage.total, 0, 'totals wait for the result');
    m.apply(result({ modelUsage: { [MODEL]: { inputTokens: 220, outputTokens: 40, cacheReadInputTokens: 100, cacheCreationInputTokens: 5 } } }));
    assert.equal(m.tokenUsage.total, 365);
    assert.equal(m.liveTokens, m.tokenUsage.total);
    // The next turn starts from the result's total.
    m.apply(assistant('msg_C', [{ type: 'text', text: 'again' }], usage(7, 3)));
    assert.equal(m.liveTokens, 375);
  });

  void it('keeps the latest usage of a message id', () => {
    const m = feed([assistant('msg_A', [], usage(100, 1)), assistant('msg_A', [], usage(100, 40))]);
    assert.equal(m.liveTokens, 140);
  });

  void it('settleOpenTurn folds an unfinished turn into the totals, once', () => {
    const m = feed([
      result({ modelUsage: { [MODEL]: { inputTokens: 100, outputTokens: 10 } } }),
      assistant('msg_1', [], usage(50, 5, 1, 2)),
      assistant('msg_1', [], usage(50, 5, 1, 2)),
      assistant('msg_2', [], usage(60, 6)),
    ]);
    const live = m.liveTokens;
    assert.equal(live, 110 + 58 + 66);
    m.settleOpenTurn();
    assert.deepEqual(m.tokenUsage, { input: 210, output: 21, cacheCreation: 1, cacheRead: 2, total: 234 });
    assert.equal(m.liveTokens, live);
    m.settleOpenTurn();
    assert.equal(m.tokenUsage.total, 234, 'a second settle adds nothing');
  });

  void it('settleOpenTurn after a result changes nothing', () => {
    const m = feed([assistant('msg_1', [], usage(50, 5)), result({ usage: usage(50, 5), modelUsage: undefined })]);
    const before = { ...m.tokenUsage };
    m.settleOpenTurn();
    assert.deepEqual(m.tokenUsage, before);
  });

  void it('sums num_turns and permission denials over results and keeps the last result', () => {
    const denial = { tool_name: 'Bash', tool_use_id: 'toolu_1', tool_input: { command: 'rm -rf /' } };
    const last = result({ num_turns: 3, permission_denials: [denial, denial], result: 'second' });
    const m = feed([result({ num_turns: 2, permission_denials: [denial] }), last, result({ num_turns: undefined, permission_denials: undefined, result: 'third' })]);
    assert.equal(m.metrics.turns, 5);
    assert.equal(m.metrics.permissionDenials, 3);
    assert.equal(m.lastResult?.result, 'third');
  });

  void it('ignores other message types', () => {
    const m = feed([
      { type: 'system', subtype: 'compact_boundary' },
      { type: 'stream_event', event: { type: 'message_start' } },
      { type: 'system', subtype: 'init', session_id: SESSION },
    ]);
    assert.deepEqual(m.metrics, emptyMetrics());
    assert.equal(m.model, undefined);
  });

  void it('does not throw on odd shapes', () => {
    const odd = [
      { type: 'assistant', message: null },
      { type: 'assistant', message: null, error: 'server_error' },
      { type: 'assistant', message: { content: 'text, not blocks' } },
      { type: 'assistant', message: { content: [null, 5, { type: 'tool_use' }, { type: 'tool_use', name: 'Write', input: null }] } },
      { type: 'user', message: null },
      { type: 'user', message: { content: { type: 'tool_result' } } },
      { type: 'user', message: { content: [null, { type: 'tool_result', is_error: 'yes' }] } },
      { type: 'result' },
    ] as unknown as StreamMessage[];
    const m = new MetricsAccumulator();
    for (const message of odd) assert.doesNotThrow(() => m.apply(message), JSON.stringify(message));
    assert.equal(m.metrics.errors, 1);
    assert.equal(m.lastAssistantError, 'server_error');
    assert.deepEqual(m.metrics.toolCalls, { Write: 1 });
    assert.equal(m.metrics.toolErrors, 0);
  });

  void it('keeps the CLI retry report and a rate-limit reset time as evidence', () => {
    const m = feed([
      { type: 'system', subtype: 'api_retry', attempt: 2, max_retries: 3, retry_delay_ms: 1019, error_status: 429, error: 'rate_limit' },
      { type: 'rate_limit_event', rate_limit_info: { status: 'rejected', resetsAt: 1_900_000_000 } },
    ]);
    assert.deepEqual(m.lastApiRetry, { attempt: 2, error: 'rate_limit', errorStatus: 429, retryDelayMs: 1019 });
    assert.equal(m.rateLimitResetsAtMs, 1_900_000_000_000);
  });

  void it('keeps live and settled totals exact over a long turn with many model calls', () => {
    const lines = Array.from({ length: 100 }, (_, i) => assistant(`msg_${i}`, [{ type: 'text', text: 'x' }], { input_tokens: 10, output_tokens: 1, cache_read_input_tokens: 2 }));
    const m = feed(lines);
    assert.equal(m.liveTokens, 100 * 13);
    // The same message id repeated (one line per content block) counts once.
    m.apply(assistant('msg_99', [{ type: 'text', text: 'y' }], { input_tokens: 10, output_tokens: 1, cache_read_input_tokens: 2 }));
    assert.equal(m.liveTokens, 100 * 13);
    m.settleOpenTurn();
    assert.deepEqual(m.tokenUsage, { input: 1000, output: 100, cacheCreation: 0, cacheRead: 200, total: 1300 });
    assert.equal(m.liveTokens, 1300);
  });
});

void describe('MetricsAccumulator with partial messages', () => {
  void it('counts input at message_start and output at message_delta, each call once', () => {
    const m = new MetricsAccumulator();
    m.apply(init());
    m.apply(messageStart('msg_1', 5000));
    assert.equal(m.liveTokens, 5001, 'input counts as soon as the call starts');
    m.apply(textDelta());
    m.apply(assistant('msg_1', [toolUse('Bash', { command: 'echo' })], usage(5000, 1)));
    assert.equal(m.liveTokens, 5001, 'the assistant line repeats message_start: not counted again');
    m.apply(messageDelta(5000));
    assert.equal(m.liveTokens, 10_000, 'output counts at message_delta, before the call is over');
    m.apply(messageStop());
    m.apply(toolResult(false));
    for (const line of modelCall('msg_2', 5000, 5000)) m.apply(line);
    assert.equal(m.liveTokens, 20_000);
    assert.equal(m.tokenUsage.total, 0, 'totals wait for the result');
  });

  void it('ends on exactly the figures of the CLI result, with no live count added', () => {
    const m = feed([init(), ...modelCall('msg_1', 5000, 5000), toolResult(false), ...modelCall('msg_2', 5000, 5000)]);
    // The CLI's own counters also hold calls it does not stream (titles, summaries): they win.
    const modelUsage = { [MODEL]: { inputTokens: 10_100, outputTokens: 10_020, cacheReadInputTokens: 7, cacheCreationInputTokens: 3 } };
    m.apply(result({ modelUsage, total_cost_usd: 0.1804 }));
    assert.deepEqual(m.tokenUsage, { input: 10_100, output: 10_020, cacheRead: 7, cacheCreation: 3, total: 20_130 });
    assert.equal(m.liveTokens, 20_130);
    assert.equal(m.costUsd, 0.1804);
    assert.equal(m.liveCostUsd, 0.1804);
    // The next turn starts from the result's figures.
    for (const line of modelCall('msg_3', 100, 50)) m.apply(line);
    assert.equal(m.liveTokens, 20_130 + 150);
    m.apply(result({ modelUsage: { [MODEL]: { inputTokens: 10_200, outputTokens: 10_070, cacheReadInputTokens: 7, cacheCreationInputTokens: 3 } }, total_cost_usd: 0.19 }));
    assert.equal(m.tokenUsage.total, 20_280);
    assert.equal(m.liveCostUsd, 0.19);
  });

  void it('keeps the highest count per call whatever order the reports come in', () => {
    const m = feed([
      messageStart('msg_1', 300),
      messageDelta(40),
      // An assistant line written after the delta still carries message_start's figures.
      assistant('msg_1', [{ type: 'text', text: 'late' }], usage(300, 1)),
      messageDelta(90),
      assistant('msg_1', [{ type: 'text', text: 'later' }], usage(300, 1)),
    ]);
    assert.equal(m.liveTokens, 390);
  });

  void it('gives each message_delta to the call running on its stream (main loop and subagents side by side)', () => {
    const m = feed([
      messageStart('msg_main', 1000),
      messageStart('msg_sub_a', 200, 'toolu_task_a'),
      messageStart('msg_sub_b', 300, 'toolu_task_b'),
      messageDelta(20, 'toolu_task_a'),
      messageDelta(500),
      messageDelta(30, 'toolu_task_b'),
      messageStop('toolu_task_a'),
      messageStart('msg_sub_a2', 250, 'toolu_task_a'),
      messageDelta(25, 'toolu_task_a'),
    ]);
    assert.equal(m.liveTokens, 1500 + 220 + 330 + 275);
    m.settleOpenTurn();
    assert.deepEqual(m.tokenUsage, { input: 1750, output: 575, cacheCreation: 0, cacheRead: 0, total: 2325 });
  });

  void it('uses api_message_id when the CLI names the message', () => {
    const m = feed([messageStart('msg_1', 100), messageStart('msg_2', 100), messageDelta(60, null, { api_message_id: 'msg_1' })]);
    assert.equal(m.liveTokens, 100 + 60 + 100 + 1);
  });

  void it('ignores a message_delta with no call to belong to, and events without usage', () => {
    const m = feed([
      messageDelta(500),
      streamEvent({ type: 'message_start', message: null }),
      streamEvent({ type: 'message_start', message: { usage: usage(5, 5) } }),
      streamEvent({ type: 'message_delta', usage: null }),
      textDelta(),
      messageStop(),
    ]);
    assert.equal(m.liveTokens, 0);
    assert.deepEqual(m.metrics, emptyMetrics());
  });

  void it('does not let message_delta after a result count again', () => {
    const m = feed([...modelCall('msg_1', 100, 50), result({ modelUsage: { [MODEL]: { inputTokens: 100, outputTokens: 50 } } })]);
    assert.equal(m.liveTokens, 150);
    // A stray late delta of the finished call opens nothing: its stream was reset with the turn.
    m.apply(messageDelta(50));
    assert.equal(m.liveTokens, 150);
  });

  void it('estimates the running cost from the counts and the model price', () => {
    const m = feed([init(), ...modelCall('msg_1', 5000, 5000)]);
    // Sonnet: $3 / $15 per million tokens.
    assert.ok(Math.abs(m.liveCostUsd - (5000 * 3 + 5000 * 15) / 1e6) < 1e-12, String(m.liveCostUsd));
    m.apply(result({ total_cost_usd: 0.2 }));
    assert.equal(m.liveCostUsd, 0.2, 'the CLI figure replaces the estimate');
    m.apply(messageStart('msg_2', 1000, null, 'claude-offline-1'));
    m.apply(messageDelta(1000));
    const unknown = (1000 * UNKNOWN_MODEL_PRICE.input + 1000 * UNKNOWN_MODEL_PRICE.output) / 1e6;
    assert.ok(Math.abs(m.liveCostUsd - (0.2 + unknown)) < 1e-12, 'an unknown model is priced at the most expensive price');
  });

  void it('settles an unfinished turn: its live tokens and estimated cost (the CLI reported none)', () => {
    const m = feed([
      init(),
      result({ modelUsage: { [MODEL]: { inputTokens: 10, outputTokens: 10 } }, total_cost_usd: 0.01 }),
      ...modelCall('msg_1', 5000, 5000),
      messageStart('msg_2', 5000),
    ]);
    const live = m.liveTokens;
    const cost = m.liveCostUsd;
    m.settleOpenTurn();
    assert.deepEqual(m.tokenUsage, { input: 10_010, output: 5011, cacheCreation: 0, cacheRead: 0, total: 15_021 });
    assert.equal(m.liveTokens, live);
    assert.equal(m.costUsd, cost);
    const expected = 0.01 + estimateCostUsd({ input: 10_000, output: 5001, cacheCreation: 0, cacheRead: 0 }, MODEL);
    assert.ok(Math.abs(m.costUsd - expected) < 1e-12);
  });

  void it('stays exact over a long turn, past the calls it keeps by id', () => {
    const calls = 5000;
    const m = new MetricsAccumulator();
    for (let i = 0; i < calls; i += 1) for (const line of modelCall(`msg_${i}`, 10, 5)) m.apply(line);
    assert.equal(m.liveTokens, calls * 15);
    m.settleOpenTurn();
    assert.deepEqual(m.tokenUsage, { input: calls * 10, output: calls * 5, cacheCreation: 0, cacheRead: 0, total: calls * 15 });
  });
});
