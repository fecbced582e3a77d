import { constants } from 'node:os';

// The first name of a number wins: 6 is SIGABRT (not its alias SIGIOT), 29 is SIGIO (not SIGPOLL).
const SIGNAL_BY_NUMBER = new Map<number, string>();
for (const [name, n] of Object.entries(constants.signals)) if (!SIGNAL_BY_NUMBER.has(n)) SIGNAL_BY_NUMBER.set(n, name);

/** The name of signal number `n` (`11` → `SIGSEGV`), or undefined. */
export const signalName = (n: number): string | undefined => SIGNAL_BY_NUMBER.get(n);
