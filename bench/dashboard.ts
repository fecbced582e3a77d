// Case 'dashboard': in Debian's headless Chromium, the first render of the dashboard with 2,000 finished sessions in
// the store, the latency from a session's state change in the daemon to the page, and the size of the first load.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { readOrCreateToken } from '../src/api/server.js';
import { serveDaemon } from '../src/cli/commands/serve.js';
import { DASHBOARD_DIR } from '../src/api/dashboard.js';
import { VPDaemon } from '../src/daemon/daemon.js';
import { DaemonStore } from '../src/store/index.js';
import { say, scenarioMarker, startModelServer } from '../src/testing/index.js';
import type { BenchCase, CaseResult } from './report.js';
import { median, round, silentLogger, tempDir } from './util.js';

const SESSIONS = 2_000;
const RENDERS = 5;
const CHANGES = 5;
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'];

function seed(stateDir: string): void {
  const store = DaemonStore.open(stateDir);
  try {
    store.transaction(() => {
      for (let i = 0; i < SESSIONS; i++) {
        const startedAt = new Date(Date.now() - (SESSIONS - i) * 60_000);
        const summary = { taskId: `TASK-${i}`, charter: 'Bench VP', priority: 'medium', tokens: 1000 + i, costUsd: 0.01, commands: i % 7, files: i % 3 };
        store.recordSessionStarted({ sessionId: `claude-session-bench-${i}`, claudeSessionId: `c-${i}`, workingDirectory: '/w', startedAt, summary });
        store.recordSessionEnded(`claude-session-bench-${i}`, { state: i % 10 === 0 ? 'failed' : 'completed', outcome: 'completed', endedAt: new Date(startedAt.getTime() + 30_000) });
      }
    });
  } finally {
    store.close();
  }
}

/** Bytes of the built dashboard, raw and gzipped (all of it is the first load: one page, one script, one sheet). */
function assetSizes(): { raw: number; gzip: number } {
  const files = [join(DASHBOARD_DIR, 'index.html'), ...readdirSync(join(DASHBOARD_DIR, 'assets')).map((f) => join(DASHBOARD_DIR, 'assets', f))];
  return files.reduce((sum, file) => ({ raw: sum.raw + statSync(file).size, gzip: sum.gzip + gzipSync(readFileSync(file), { level: 9 }).length }), { raw: 0, gzip: 0 });
}

async function run(): Promise<CaseResult> {
  const state = tempDir('dashboard');
  const server = await startModelServer({ scenarios: [{ name: 'quick', steps: [say('ok')] }] });
  seed(state.path);
  const daemon = new VPDaemon({ stateDir: state.path, logger: silentLogger, spawner: { env: { ...server.env, HOME: state.path, CLAUDE_CONFIG_DIR: join(state.path, 'claude') } } });
  await daemon.start();
  const serving = await serveDaemon(daemon, { host: '127.0.0.1', port: 0, logger: silentLogger });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const token = await readOrCreateToken(daemon.stateDir);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${serving.url}/?token=${token}`);
    const renders: number[] = [];
    for (let i = 0; i < RENDERS; i++) {
      const t0 = performance.now();
      await page.reload();
      await page.locator('[data-session-id]').first().waitFor({ state: 'visible' });
      renders.push(performance.now() - t0);
    }
    const rowsInDom = await page.locator('[data-session-id]').count();

    // A session's end: the daemon's event, then the row's state on the page, on the same clock.
    const latencies: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      const ended = new Promise<number>((resolve) => daemon.once('session-ended', () => resolve(Date.now())));
      await daemon.handleTriageRequest({ task: { id: `LIVE-${i}`, description: `Say ok ${scenarioMarker('quick')}` }, charter: { identity: { name: 'Bench VP', email: 'b@example.com', role: 'Engineer' }, objectives: ['ok'], constraints: { forbiddenCommands: [], forbiddenPatterns: [], requiredApprovals: [] }, resources: { maxTokens: 100_000, maxExecutionTime: 60_000, allowedTools: ['read'] } }, workingDirectory: state.path, isolation: 'none' });
      const seen = page.locator('[data-session-id][data-state="completed"]', { hasText: `LIVE-${i}` }).first().waitFor({ state: 'visible', timeout: 60_000 }).then(() => Date.now());
      latencies.push((await seen) - (await ended));
    }
    const size = assetSizes();
    const firstRender = median(renders);
    return {
      name: 'dashboard',
      tables: [
        { head: ['measure', 'median', 'max'], rows: [[`first render, ${SESSIONS} sessions (ms)`, round(firstRender), round(Math.max(...renders))], ['state change to page (ms)', round(median(latencies)), round(Math.max(...latencies))]] },
        { head: ['built assets', 'bytes'], rows: [['raw', size.raw], ['gzipped', size.gzip]] },
      ],
      notes: [`rows in the page's DOM with ${SESSIONS} sessions: ${rowsInDom} (only what is in view)`, 'first render: reload until the first row shows, logged in, 1280x900'],
      goals: [
        { label: `first render, ${SESSIONS} sessions`, value: round(firstRender), unit: 'ms', target: '< 1000', pass: firstRender < 1000 },
        { label: 'state change to page', value: round(median(latencies)), unit: 'ms', target: '< 500', pass: Math.max(...latencies) < 500 },
        { label: 'first load, gzipped', value: round(size.gzip / 1024), unit: 'KiB', target: '< 300', pass: size.gzip < 300 * 1024 },
      ],
      data: { renders, latencies, rowsInDom, size },
    };
  } finally {
    await browser.close();
    await serving.close();
    await daemon.stop(5000);
    await server.close();
    state.remove();
  }
}

export const dashboardBench: BenchCase = { name: 'dashboard', title: `dashboard first render with ${SESSIONS} sessions, live latency, asset size`, run };
