import { signalName } from '../session/signals.js';
import type { ClaudeSessionStatus } from '../session/types.js';
import { redactText } from '../utils/redact.js';
import type { CrashClass } from '../session/crash.js';
import type { CrashContext, Finding } from './finding.js';
import { outcomeDetail } from './cli-evidence.js';

const SEGFAULT = new Set(['SIGSEGV', 'SIGBUS', 'SIGILL']);
const OOM_TEXT = /JavaScript heap out of memory|Allocation failed|ENOMEM|out of memory/i;
const PERMISSION_TEXT = /EACCES|EPERM|permission denied/i;
const NETWORK_TEXT = /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|socket hang up/i;

/** The supervisor's own reason for stopping the process, from the context or the outcome. */
function supervisorStop(status: ClaudeSessionStatus, context: CrashContext): string | undefined {
  const reason = status.outcome?.reason ?? '';
  return context.stopReason ?? (/^(timeout:|budget:|terminated$)/.test(reason) ? reason : undefined);
}

/** The signal the process ended on: `status.signal`, `outcome.reason` `signal:X`, or a 128+n exit code without a result. */
function exitSignal(status: ClaudeSessionStatus): string | undefined {
  if (status.signal) return status.signal;
  const reason = status.outcome?.reason ?? '';
  if (reason.startsWith('signal:')) return reason.slice('signal:'.length);
  const code = status.exitCode;
  if (typeof code !== 'number' || code <= 128 || code >= 128 + 65 || status.evidence?.resultSubtype !== undefined) return undefined;
  return signalName(code - 128);
}

/** The last line of stderr, stdout or the outcome message matching `pattern`, redacted and shortened. */
function findText(status: ClaudeSessionStatus, pattern: RegExp): { source: string; line: string } | undefined {
  const sources: [string, string | undefined][] = [
    ['stderr', status.stderr],
    ['stdout', status.stdout],
    ['message', status.outcome?.message ?? status.errorMessage],
  ];
  for (const [source, text] of sources) {
    const line = (text ?? '').split('\n').reverse().find((l) => pattern.test(l));
    if (line !== undefined) return { source, line: redactText(line.trim()).slice(0, 160) };
  }
  return undefined;
}

/** From the exit signal: segfaults always; SIGKILL and other signals only when the supervisor did not stop the process. */
export function fromSignal(status: ClaudeSessionStatus, context: CrashContext): Finding | undefined {
  const signal = exitSignal(status);
  if (signal === undefined) return undefined;
  const evidence = [`signal=${signal}`, ...(status.exitCode == null ? [] : [`exit_code=${status.exitCode}`])];
  const phase = status.evidence?.initialized === false ? 'during startup' : 'while running';
  if (SEGFAULT.has(signal)) {
    return { crashClass: 'segfault', confidence: 0.95, rootCause: `Process ended on ${signal} ${phase}`, facts: signal, evidence };
  }
  if (supervisorStop(status, context) !== undefined) return undefined; // the supervisor sent it
  const oom = findText(status, OOM_TEXT);
  if (oom) evidence.push(`${oom.source}: ${oom.line}`);
  if (signal === 'SIGKILL') {
    // The usual sender of a SIGKILL nobody asked for is the kernel's OOM killer.
    const why = oom ? ` and ${oom.source} reports "${oom.line}"` : '; the usual cause of an outside SIGKILL is the OOM killer';
    const rootCause = `Process was killed by SIGKILL ${phase}, not by the supervisor${why}`;
    return { crashClass: 'killed', confidence: oom ? 0.85 : 0.6, rootCause, facts: signal, evidence };
  }
  if (oom) {
    const rootCause = `Process ended on ${signal} ${phase} after ${oom.source} reported "${oom.line}"`;
    return { crashClass: 'oom', confidence: 0.85, rootCause, facts: `${signal}, out of memory`, evidence };
  }
  const rootCause = `Process ended on ${signal} ${phase}; the supervisor did not send it`;
  return { crashClass: 'signal', confidence: 0.8, rootCause, facts: signal, evidence };
}

/** From the supervisor's own stop: its timers, its budget, or a stop on request (not a crash). */
export function fromSupervisor(status: ClaudeSessionStatus, context: CrashContext): Finding | undefined {
  const stop = supervisorStop(status, context);
  if (stop === undefined) return undefined;
  const evidence = [`stop_reason=${stop}`];
  const retry = status.evidence?.lastApiRetry;
  let retrying = '';
  if (retry) {
    const what = [retry.errorStatus, retry.error].filter((x) => x !== undefined).join(' ') || 'no details';
    retrying = `, while the CLI was retrying the API (${what}, attempt ${retry.attempt ?? '?'})`;
    evidence.push(`last_api_retry=${what}`);
  }
  const ran = status.executionTime === undefined ? '' : `; the session ran ${status.executionTime} ms`;
  const timers: Record<string, [CrashClass, string]> = {
    'timeout:wall': ['timeout_wall', 'The supervisor stopped the session at its wall-clock limit (timeout:wall)'],
    'timeout:startup': ['timeout_startup', 'No system/init arrived before the startup deadline (timeout:startup)'],
    'timeout:idle': ['timeout_idle', 'stdout stayed silent past the idle limit (timeout:idle)'],
  };
  const timer = timers[stop];
  if (timer) return { crashClass: timer[0], confidence: 0.95, rootCause: `${timer[1]}${ran}${retrying}`, facts: stop, evidence };
  if (stop.startsWith('budget:')) {
    return { crashClass: 'budget', confidence: 0.95, rootCause: `The supervisor stopped the session at its budget (${stop})`, facts: stop, evidence };
  }
  const rootCause = `The supervisor stopped the session on request (${stop}); this is not a crash`;
  return { crashClass: 'unknown', confidence: 0.95, rootCause, facts: stop, evidence };
}

/** From text: out of memory, access denied, network errors. stdout also carries tool output, so it counts 0.1 less. */
export function fromText(status: ClaudeSessionStatus): Finding | undefined {
  const rules: [RegExp, CrashClass, number, string][] = [
    [OOM_TEXT, 'oom', 0.7, 'Out of memory'],
    [PERMISSION_TEXT, 'permission', 0.6, 'Access was denied'],
    [NETWORK_TEXT, 'network', 0.6, 'A network connection failed'],
  ];
  for (const [pattern, crashClass, confidence, what] of rules) {
    const hit = findText(status, pattern);
    if (hit === undefined) continue;
    const fact = `${hit.source}: ${hit.line}`;
    const rootCause = `${what}: ${hit.source} reports "${hit.line}"`;
    return { crashClass, confidence: hit.source === 'stdout' ? confidence - 0.1 : confidence, rootCause, facts: fact, evidence: [fact] };
  }
  return undefined;
}

/** The exit code alone (`exit`, 0.4), or nothing at all (`unknown`, 0.3). */
export function fallback(status: ClaudeSessionStatus): Finding {
  const reason = status.outcome?.reason ?? '';
  const code = status.exitCode ?? (reason.startsWith('exit:') ? Number(reason.slice('exit:'.length)) : undefined);
  if (typeof code === 'number' && Number.isFinite(code)) {
    const rootCause = `The CLI exited with code ${code} without a result${status.stderr ? '' : ' and an empty stderr'}`;
    return { crashClass: 'exit', confidence: 0.4, rootCause, facts: `exit code ${code}`, evidence: [`exit_code=${code}`] };
  }
  const rootCause = `The session ended ${status.state} (${reason || 'no outcome'}) with no evidence of the cause${outcomeDetail(status)}`;
  return { crashClass: 'unknown', confidence: 0.3, rootCause, facts: reason || status.state, evidence: [reason ? `outcome=${reason}` : `state=${status.state}`] };
}
