export { startModelServer } from './model-server.js';
export type { ModelServer, ModelServerOptions, RecordedRequest } from './model-server.js';
export { apiError, bash, edit, hang, say, scenarioMarker, write, DEFAULT_USAGE } from './scenario.js';
export type { ModelStep, Scenario, ScriptedUsage } from './scenario.js';
