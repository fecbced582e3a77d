// The API token file and bearer authentication.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { bearerMatches } from '../../src/api/auth.js';
import { createControlServer, readOrCreateToken, type ControlBackend, type ControlServer } from '../../src/api/server.js';
import { tempDir } from '../helpers/fixtures.js';

const backend = { status: () => ({ ok: true }) } as unknown as ControlBackend;

void describe('readOrCreateToken', () => {
  const dirs: { remove: () => void }[] = [];
  const folder = (): string => {
    const dir = tempDir('vp-api-token-');
    dirs.push(dir);
    return dir.path;
  };
  afterEach(() => dirs.splice(0).forEach((dir) => dir.remove()));

  void it('creates <stateDir>/api-token: 32 random bytes as hex, mode 0600; reuses it after', async () => {
    const stateDir = join(folder(), 'state', 'nested');
    const token = await readOrCreateToken(stateDir);
    assert.match(token, /^[0-9a-f]{64}$/);
    const file = join(stateDir, 'api-token');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await readFile(file, 'utf8')).trim(), token);
    assert.equal(await readOrCreateToken(stateDir), token);
    const [a, b] = await Promise.all([readOrCreateToken(join(stateDir, 'x')), readOrCreateToken(join(stateDir, 'x'))]);
    assert.equal(a, b, 'two callers at once agree on one token');
  });

  void it('refuses a token file that group or others can read, or one without a token', async () => {
    const stateDir = folder();
    await readOrCreateToken(stateDir);
    const file = join(stateDir, 'api-token');
    await chmod(file, 0o644);
    await assert.rejects(readOrCreateToken(stateDir), { code: 'ERR_INVALID_OPTION', message: /readable or writable by group or others \(mode 644\)/ });
    await chmod(file, 0o640);
    await assert.rejects(readOrCreateToken(stateDir), { code: 'ERR_INVALID_OPTION' });
    await writeFile(file, 'short\n', { mode: 0o600 });
    await chmod(file, 0o600);
    await assert.rejects(readOrCreateToken(stateDir), { message: /does not hold a token/ });
  });
});

void describe('bearer authentication', () => {
  const dirs: ReturnType<typeof tempDir>[] = [];
  let server: ControlServer | undefined;
  afterEach(async () => {
    await server?.close();
    dirs.splice(0).forEach((dir) => dir.remove());
  });

  void it("answers 401 without a token, with a wrong one, and with another state folder's; 200 with its own", async () => {
    dirs.push(tempDir('vp-api-a-'), tempDir('vp-api-b-'));
    const own = await readOrCreateToken(dirs[0]!.path);
    const other = await readOrCreateToken(dirs[1]!.path);
    assert.notEqual(own, other);
    server = createControlServer(backend, { token: own, logger: false, metricsRegistry: new Registry() });
    const get = (url: string, authorization?: string) =>
      server!.app.inject({ method: 'GET', url, headers: authorization === undefined ? {} : { authorization } });

    const refused = [undefined, `Bearer ${other}`, `Bearer ${own.slice(0, -1)}`, `Bearer ${own}x`, `Basic ${own}`, own, 'Bearer', ''];
    for (const authorization of refused) {
      const res = await get('/v1/status', authorization);
      assert.equal(res.statusCode, 401, String(authorization));
      assert.deepEqual(res.json(), { code: 'ERR_UNAUTHORIZED', message: 'A valid bearer token is required' });
      assert.equal(res.headers['www-authenticate'], 'Bearer');
    }
    for (const url of ['/metrics', '/v1/sessions', '/nowhere']) assert.equal((await get(url)).statusCode, 401, url);
    const post = await server.app.inject({ method: 'POST', url: '/v1/drain', headers: { authorization: `Bearer ${other}` } });
    assert.equal(post.statusCode, 401);

    assert.deepEqual((await get('/v1/status', `Bearer ${own}`)).json(), { ok: true });
    assert.equal((await get('/v1/status', `bearer  ${own}`)).statusCode, 200);
    const doc = await get('/openapi.json');
    assert.equal(doc.statusCode, 200);
    assert.equal(doc.json<{ openapi: string }>().openapi, '3.1.0');
  });

  void it('bearerMatches compares the whole token', () => {
    const expected = createHash('sha256').update('secret-token-value').digest();
    assert.ok(bearerMatches('Bearer secret-token-value', expected));
    assert.ok(!bearerMatches('Bearer secret-token-valu', expected));
    assert.ok(!bearerMatches('Bearer secret-token-value extra', expected));
    assert.ok(!bearerMatches(undefined, expected));
  });

  void it('refuses to build a server with an empty token', () => {
    assert.throws(() => createControlServer(backend, { token: '', logger: false, metricsRegistry: new Registry() }), /token is empty/);
  });
});
