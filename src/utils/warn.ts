/** Reports a problem that must not stop the caller as a process warning (`VpDaemonWarning`). */
export function warn(what: string, error: unknown): void {
  process.emitWarning(`${what}: ${error instanceof Error ? error.message : String(error)}`, 'VpDaemonWarning');
}

/** Runs a user's callback; one that throws is reported with {@link warn}, never rethrown. */
export function callSafely(callback: () => void, what: string): void {
  try {
    callback();
  } catch (error) {
    warn(what, error);
  }
}
