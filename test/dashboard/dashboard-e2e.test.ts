// The dashboard end to end, in Debian's headless Chromium driven by playwright-core, against `vp-daemon serve`,
// the real CLI and the offline model server: log in through the token URL, watch tasks appear, approve and deny
// waiting calls, open a session's output, terminate one; and a browser without the cookie sees nothing.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { bash, say, startModelServer, type ModelServer } from '../../src/testing/index.js';
import { cliEnv, startServe, vp, writeTask } from '../helpers/cli.js';
import { tempDir } from '../helpers/fixtures.js';
import { redisUnavailable, removeKeys, startTestRedis, type TestRedis } from '../helpers/redis.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-results', 'dashboard');
const ROW = '[data-session-id]';

describe('the dashboard in a real browser', { skip: !existsSync(CHROMIUM) && `no ${CHROMIUM} (apt-get install chromium)` }, () => {
  let server: ModelServer;
  let dir: ReturnType<typeof tempDir>;
  let env: NodeJS.ProcessEnv;
  let daemon: Awaited<ReturnType<typeof startServe>>;
  let browser: Browser;
  let page: Page;
  let state: string;
  let redis: TestRedis | undefined;
  const fleetName = `e2e-${randomBytes(4).toString('hex')}`;
  const problems: string[] = [];

  before(async () => {
    server = await startModelServer({
      scenarios: [
        { name: 'hello', steps: [bash('echo hello-dashboard'), say('Hello done.')] },
        { name: 'deploy-a', steps: [bash('echo deploy staging'), say('Deployed to staging.')] },
        { name: 'deploy-b', steps: [bash('echo deploy canary'), say('Left the canary alone.')] },
        { name: 'long', steps: [bash('echo long-running && sleep 120'), say('Never reached.')] },
      ],
    });
    dir = tempDir('vp-dashboard-e2e-');
    mkdirSync(join(dir.path, 'charters'));
    mkdirSync(ARTIFACTS, { recursive: true });
    env = cliEnv(server, dir.path);
    state = join(dir.path, 'state');
    // With Redis (always under CI) the daemon is a node of a fleet of its own: every request goes through BullMQ.
    redis = redisUnavailable() === undefined ? await startTestRedis() : undefined;
    const fleet = redis ? ['--fleet', redis.url, '--fleet-name', fleetName] : [];
    daemon = await startServe(['--state', state, '--charters', join(dir.path, 'charters'), '--max-sessions', '4', ...fleet], env);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (message) => void (message.type() === 'error' && problems.push(`console: ${message.text()}`)));
    page.on('pageerror', (error) => void problems.push(`page error: ${error.message}`));
  });
  after(async () => {
    await browser?.close();
    daemon?.child.kill('SIGTERM');
    if (daemon) await new Promise((r) => daemon.child.once('exit', r));
    await server?.close();
    if (redis) await removeKeys(redis.url, `vp-fleet:${fleetName}`);
    await redis?.stop();
    dir?.remove();
  });

  const submit = async (name: string): Promise<void> => {
    const result = await vp(['submit', writeTask(dir.path, name, name), '--state', state], env);
    assert.equal(result.code, 0, result.stderr);
  };
  const row = (taskId: string) => page.locator(ROW, { hasText: taskId });
  const rowState = async (taskId: string, wanted: string, timeoutMs = 60_000): Promise<void> => {
    await page.locator(`${ROW}[data-state="${wanted}"]`, { hasText: taskId }).first().waitFor({ state: 'visible', timeout: timeoutMs });
  };
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  it('without the cookie shows a login form and no data', async () => {
    await page.goto(daemon.url);
    await page.getByLabel('API token').waitFor({ state: 'visible' });
    assert.equal(await page.locator(ROW).count(), 0);
    assert.equal((await fetch(`${daemon.url}/v1/sessions/page`)).status, 401);
    await shot('login');
  });

  it('logs in through the token URL, which leaves the address bar', async () => {
    const token = readFileSync(join(state, 'api-token'), 'utf8').trim();
    await page.goto(`${daemon.url}/?token=${token}`);
    // The login's key comes in the fragment, and the page moves it into the tab's storage at once.
    await page.getByRole('button', { name: 'Log out' }).waitFor({ state: 'visible' });
    assert.equal(page.url(), `${daemon.url}/`);
    const cookies = await page.context().cookies();
    assert.deepEqual(cookies.map((c) => [c.name, c.httpOnly, c.sameSite]), [['vp_session', true, 'Strict']]);
  });

  it('shows a submitted task appear and complete, without a reload', async () => {
    await submit('hello');
    await rowState('hello', 'completed');
    await shot('sessions-1280');
  });

  it('approves a waiting call with a click, and the session completes', async () => {
    await submit('deploy-a');
    const approval = page.locator('[data-approval-id]', { hasText: 'deploy staging' });
    await approval.waitFor({ state: 'visible', timeout: 60_000 });
    // The session waits for the person: its row says so.
    await rowState('deploy-a', 'waiting_input');
    await row('deploy-a').getByText('needs approval').waitFor({ state: 'visible' });
    await shot('approvals');
    await approval.getByRole('button', { name: 'Approve' }).click();
    await approval.waitFor({ state: 'detached', timeout: 10_000 });
    await rowState('deploy-a', 'completed');
  });

  it('denies one with a reason', async () => {
    await submit('deploy-b');
    const approval = page.locator('[data-approval-id]', { hasText: 'deploy canary' });
    await approval.waitFor({ state: 'visible', timeout: 60_000 });
    await approval.getByLabel('Reason').fill('not today');
    await approval.getByRole('button', { name: 'Deny' }).click();
    await approval.waitFor({ state: 'detached', timeout: 10_000 });
    await rowState('deploy-b', 'completed');
  });

  // Each view test starts from the list, so one that fails leaves the next its own start.
  const fromList = async (): Promise<void> => {
    await page.goto(`${daemon.url}/`);
    await page.locator(ROW).first().waitFor({ state: 'visible', timeout: 30_000 });
  };

  it("shows the fleet's node with its heartbeat, and the node of each request", { skip: redisUnavailable() }, async () => {
    const cluster = page.locator('section.cluster');
    await cluster.waitFor({ state: 'visible' });
    await cluster.locator('tr[data-node]', { hasText: '(this node)' }).waitFor({ state: 'visible' });
    assert.match((await cluster.locator('tr[data-node]').first().textContent()) ?? '', /up.*s ago/);
    // The list reloads with the statuses the daemon sends: it shows the three requests so far once it has caught up.
    await cluster.locator('table.fleet-requests tr[data-request-id]').nth(2).waitFor({ state: 'visible', timeout: 20_000 });
    await shot('fleet');
  });

  it("opens a session and sees its output", async () => {
    await fromList();
    await row('hello').first().click();
    await page.waitForURL(/#\/session\/claude-session-/);
    await page.getByTestId('output').filter({ hasText: 'hello-dashboard' }).waitFor({ state: 'visible', timeout: 60_000 });
    await shot('session');
  });

  it('terminates a running session from its view', async () => {
    await fromList();
    await submit('long');
    await rowState('long', 'running');
    await row('long').first().click();
    await page.getByRole('button', { name: 'Terminate' }).click();
    await page.goBack();
    await rowState('long', 'terminated', 30_000);
  });

  it('fits a 390 px wide screen, and logged no console error', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await fromList();
    await page.locator(ROW).first().waitFor({ state: 'visible' });
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    assert.ok(overflow <= 1, `the page is ${overflow} px wider than the screen`);
    await shot('sessions-390');
    assert.deepEqual(problems, []);
  });
});
