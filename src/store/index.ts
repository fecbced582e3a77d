export { DaemonStore, DB_FILE, toJson } from './store.js';
export type { RequestState, StoredApproval, StoredCrash, StoredRequest, StoredSession } from './store.js';
export { regExpFromJson, type JsonValue } from './codec.js';
export { APPLICATION_ID, SCHEMA_VERSION } from './schema.js';
export { LOCK_FILE, type LockOwner } from './lock.js';
