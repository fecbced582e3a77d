// The one table of API failures: what the CLI's status and error fields mean.

/** The class of a failed API call, as the spawner records it in `api_error:<kind>`. */
export type ApiErrorKind =
  | 'auth'
  | 'rate_limited'
  | 'overloaded'
  | 'context_overflow'
  | 'billing'
  | 'model_not_found'
  | 'invalid_request'
  | 'network'
  | 'server';

/** The CLI's own fields about a failed call: `api_error_status`, an assistant message's `error`, `api_error`, `terminal_reason`. */
export interface ApiErrorFields {
  status?: number | null;
  error?: string;
  apiError?: string;
  /** `api_error_type` (2.1.2xx): the `error.type` of the API's answer, e.g. `rate_limit_error`. */
  errorType?: string;
  terminalReason?: string;
}

// The API's own error types (`error.type` of its answer), for when the status and error name say nothing.
const ERROR_TYPES: ReadonlyMap<string, ApiErrorKind> = new Map<string, ApiErrorKind>([
  ['authentication_error', 'auth'],
  ['permission_error', 'auth'],
  ['rate_limit_error', 'rate_limited'],
  ['overloaded_error', 'overloaded'],
  ['billing_error', 'billing'],
  ['not_found_error', 'model_not_found'],
  ['invalid_request_error', 'invalid_request'],
  ['api_error', 'server'],
]);

/** Classifies a failed API call from the CLI's structured fields, strongest first; undefined when they say nothing. */
export function apiErrorKind(fields: ApiErrorFields): ApiErrorKind | undefined {
  const status = fields.status ?? undefined;
  const error = fields.error ?? '';
  if (status === 401 || status === 403 || error === 'authentication_failed' || error === 'oauth_org_not_allowed') return 'auth';
  if (status === 429 || error === 'rate_limit') return 'rate_limited';
  if (status === 529 || error === 'overloaded') return 'overloaded';
  if (fields.terminalReason === 'prompt_too_long') return 'context_overflow';
  if (error === 'billing_error') return 'billing';
  if (error === 'model_not_found' || status === 404) return 'model_not_found';
  if (status === 400 || error === 'invalid_request') return 'invalid_request';
  if (fields.apiError === 'connection_failed' || (status === undefined && error === 'server_error')) return 'network';
  if (status !== undefined && status >= 500) return 'server';
  return fields.errorType === undefined ? undefined : ERROR_TYPES.get(fields.errorType);
}
