/** Token usage as the Messages API reports it. */
export interface WireUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

export interface ToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: Record<string, unknown>;
}

export interface ToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  is_error?: boolean;
  content?: unknown;
}

/** `system/init`: the CLI is ready; emitted at the start of every turn. */
export interface SystemInitMessage {
  type: 'system';
  subtype: 'init';
  session_id: string;
  model?: string;
  claude_code_version?: string;
  tools?: string[];
  [key: string]: unknown;
}

export interface AssistantMessage {
  type: 'assistant';
  message: { id?: string; model?: string; content?: { type: string; [key: string]: unknown }[]; usage?: WireUsage };
  /** Set on CLI-made error messages: `authentication_failed`, `rate_limit`, `server_error`, ... */
  error?: string;
  api_error?: string;
  parent_tool_use_id?: string | null;
  [key: string]: unknown;
}

export interface UserMessage {
  type: 'user';
  message: { role: 'user'; content: string | { type: string; [key: string]: unknown }[] };
  [key: string]: unknown;
}

/** The end of one turn. `is_error: true` is a failure whatever the subtype says. */
export interface ResultMessage {
  type: 'result';
  subtype: string;
  is_error: boolean;
  num_turns?: number;
  result?: string;
  errors?: string[];
  total_cost_usd?: number;
  usage?: WireUsage;
  modelUsage?: Record<
    string,
    { inputTokens?: number; outputTokens?: number; cacheReadInputTokens?: number; cacheCreationInputTokens?: number; costUSD?: number }
  >;
  permission_denials?: unknown[];
  api_error_status?: number | null;
  api_error?: string;
  /** 2.1.2xx: the `error.type` of the API's answer, e.g. `rate_limit_error`, `overloaded_error`. */
  api_error_type?: string;
  terminal_reason?: string;
  session_id?: string;
  [key: string]: unknown;
}

/**
 * `stream_event` (with `--include-partial-messages`): one raw Messages API server-sent event of a running
 * model call. `message_start` carries the call's id, model and input-side usage; `message_delta` its
 * cumulative `usage.output_tokens` (and names no message: the stream's current call is meant).
 */
export interface StreamEventMessage {
  type: 'stream_event';
  event: {
    type: string;
    message?: { id?: string; model?: string; usage?: WireUsage; [key: string]: unknown } | null;
    usage?: WireUsage | null;
    [key: string]: unknown;
  };
  /** The Task tool call a subagent's event belongs to; null for the main loop. */
  parent_tool_use_id?: string | null;
  /** The message id, where the CLI names it. */
  api_message_id?: string;
  [key: string]: unknown;
}

/** Any other message type the CLI may add; kept as it came. */
export interface OtherMessage {
  type: string;
  subtype?: string;
  [key: string]: unknown;
}

/**
 * Message types the spawner knows: those it reads, and the documented ones it has no use for. Any other
 * type is new to it (the CLI adds some in most releases): counted, kept in the evidence, never fatal.
 */
export const KNOWN_MESSAGE_TYPES: ReadonlySet<string> = new Set([
  'system', 'assistant', 'user', 'result', 'stream_event', 'rate_limit_event',
  'control_request', 'control_response', 'control_cancel_request', 'keep_alive',
  'tool_progress', 'tool_use_summary', 'auth_status', 'prompt_suggestion',
]);

/** One line of the CLI's stream-json output. */
export type StreamMessage = SystemInitMessage | AssistantMessage | UserMessage | ResultMessage | StreamEventMessage | OtherMessage;

export const isInit = (m: StreamMessage): m is SystemInitMessage => m.type === 'system' && m.subtype === 'init';
export const isAssistant = (m: StreamMessage): m is AssistantMessage => m.type === 'assistant' && typeof m['message'] === 'object';
export const isUser = (m: StreamMessage): m is UserMessage => m.type === 'user' && typeof m['message'] === 'object';
export const isResult = (m: StreamMessage): m is ResultMessage => m.type === 'result';
export const isStreamEvent = (m: StreamMessage): m is StreamEventMessage =>
  m.type === 'stream_event' && typeof m['event'] === 'object' && m['event'] !== null;
