import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSessionEnv, DEFAULT_INHERITED_ENV, RESUME_INTERRUPTED_TURN_VAR, SESSION_MARKER_VAR, secretValues } from '../../src/spawner/env.js';

const BASE = {
  PATH: '/usr/bin:/bin',
  HOME: '/home/me',
  LANG: 'en_US.UTF-8',
  LC_ALL: 'C',
  LC_CTYPE: 'UTF-8',
  ANTHROPIC_API_KEY: 'sk-ant-api03-abcdefghijkl',
  ANTHROPIC_DEFAULT_SONNET_MODEL: 'claude-sonnet-4-5',
  AWS_REGION: 'eu-west-1',
  AWS_SECRET_ACCESS_KEY: 'aws-secret-value',
  SECRET_THING: 'do-not-leak',
  GITHUB_TOKEN: 'ghp_xxx',
  DATABASE_URL: 'postgres://user:pw@db/prod',
  NODE_OPTIONS: '--inspect',
  MY_AWS_THING: 'not a prefix match',
  PATHEXT: 'not PATH',
  UNSET: undefined,
};

const build = (over: Partial<Parameters<typeof buildSessionEnv>[0]> = {}) =>
  buildSessionEnv({ base: BASE, inherit: DEFAULT_INHERITED_ENV, sessionId: 'claude-session-1', ...over });

void describe('buildSessionEnv', () => {
  void it('keeps only allow-listed names from the base environment', () => {
    const env = build();
    assert.deepEqual(Object.keys(env).sort(), [
      'ANTHROPIC_API_KEY',
      'ANTHROPIC_DEFAULT_SONNET_MODEL',
      'AWS_REGION',
      'AWS_SECRET_ACCESS_KEY',
      'DISABLE_AUTOUPDATER',
      'HOME',
      'LANG',
      'LC_ALL',
      'LC_CTYPE',
      'PATH',
      SESSION_MARKER_VAR,
    ]);
    assert.equal(env['PATH'], '/usr/bin:/bin');
    assert.equal(env['AWS_REGION'], 'eu-west-1');
    for (const name of ['SECRET_THING', 'GITHUB_TOKEN', 'DATABASE_URL', 'MY_AWS_THING', 'PATHEXT', 'UNSET']) assert.ok(!(name in env), name);
  });

  void it('matches exact names exactly and PREFIX_* patterns by prefix', () => {
    const env = buildSessionEnv({
      base: { FOO: '1', FOOBAR: '2', BAR_X: '3', BAR_: '4', BARX: '5', bar_y: '6' },
      inherit: ['FOO', 'BAR_*'],
      sessionId: 's',
    });
    assert.equal(env['FOO'], '1');
    assert.equal(env['BAR_X'], '3');
    assert.equal(env['BAR_'], '4');
    for (const name of ['FOOBAR', 'BARX', 'bar_y']) assert.ok(!(name in env), name);
  });

  void it('inherits nothing with an empty allow-list', () => {
    assert.deepEqual(build({ inherit: [] }), { DISABLE_AUTOUPDATER: '1', [SESSION_MARKER_VAR]: 'claude-session-1' });
  });

  void it('layers the spawner env over the base and the session env over both', () => {
    const env = build({
      spawnerEnv: { PATH: '/spawner/bin', SHARED: 'spawner', ONLY_SPAWNER: 's' },
      sessionEnv: { SHARED: 'session', ONLY_SESSION: 'x', SECRET_THING: 'given on purpose' },
    });
    assert.equal(env['PATH'], '/spawner/bin');
    assert.equal(env['SHARED'], 'session');
    assert.equal(env['ONLY_SPAWNER'], 's');
    assert.equal(env['ONLY_SESSION'], 'x');
    assert.equal(env['SECRET_THING'], 'given on purpose', 'named explicitly, so passed');
    assert.equal(env['HOME'], '/home/me');
  });

  void it('removes NODE_OPTIONS wherever it came from', () => {
    for (const env of [
      build({ inherit: ['*'] }),
      build({ spawnerEnv: { NODE_OPTIONS: '--require x' } }),
      build({ sessionEnv: { NODE_OPTIONS: '--max-old-space-size=1' } }),
    ]) {
      assert.ok(!('NODE_OPTIONS' in env));
    }
  });

  void it('always sets the session marker to the session id, whatever the other layers say', () => {
    const env = buildSessionEnv({
      base: { [SESSION_MARKER_VAR]: 'from-parent' },
      inherit: ['*'],
      spawnerEnv: { [SESSION_MARKER_VAR]: 'from-spawner' },
      sessionEnv: { [SESSION_MARKER_VAR]: 'from-session' },
      sessionId: 'claude-session-42',
    });
    assert.equal(SESSION_MARKER_VAR, 'VP_DAEMON_SESSION');
    assert.equal(env[SESSION_MARKER_VAR], 'claude-session-42');
  });

  void it('turns the CLI auto-updater off', () => {
    assert.equal(build()['DISABLE_AUTOUPDATER'], '1');
  });

  void it("leaves the CLI's re-run of an interrupted turn off (unset), whatever the spawner or the session asks", () => {
    for (const value of ['1', '0']) {
      const asked = { [RESUME_INTERRUPTED_TURN_VAR]: value };
      const env = build({ spawnerEnv: asked, sessionEnv: asked, base: { ...BASE, ...asked }, inherit: ['CLAUDE_*'] });
      assert.ok(!(RESUME_INTERRUPTED_TURN_VAR in env), value);
    }
  });

  void it('does not change its inputs', () => {
    const base = { ...BASE };
    const sessionEnv = { NODE_OPTIONS: 'x' };
    build({ base, sessionEnv });
    assert.deepEqual(base, BASE);
    assert.deepEqual(sessionEnv, { NODE_OPTIONS: 'x' });
  });
});

void describe('secretValues', () => {
  void it('returns the values of variables with secret-looking names', () => {
    const env = {
      ANTHROPIC_API_KEY: 'v-api-key',
      CLAUDE_CODE_OAUTH_TOKEN: 'v-oauth',
      AWS_SECRET_ACCESS_KEY: 'v-aws',
      DB_PASSWORD: 'v-db',
      MY_KEY: 'v-key',
      KEY: 'v-bare',
      apikey: 'v-lower',
      PATH: '/usr/bin',
      HOME: '/home/me',
      KEYBOARD: 'us',
      MONKEY: 'banana',
      VP_DAEMON_SESSION: 's',
    };
    assert.deepEqual(secretValues(env).sort(), ['v-api-key', 'v-aws', 'v-bare', 'v-db', 'v-key', 'v-lower', 'v-oauth']);
  });

  void it('is empty for an environment without secrets', () => {
    assert.deepEqual(secretValues({ PATH: '/bin', LANG: 'C' }), []);
  });
});
