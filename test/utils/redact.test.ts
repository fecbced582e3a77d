import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactEnv, redactText, SECRET_NAME } from '../../src/utils/redact.js';

const ANTHROPIC = 'sk-ant-api03-AbCdEf_123-456xyzXYZ';
const GITHUB = 'ghp_0123456789abcdefghijABCDEFGHIJ';

void describe('redactText', () => {
  void it('hides Anthropic keys and GitHub tokens in free text', () => {
    const text = `key=${ANTHROPIC} and "token": "${GITHUB}".`;
    const out = redactText(text);
    assert.equal(out, 'key=[redacted] and "token": "[redacted]".');
    assert.ok(!out.includes('sk-ant') && !out.includes('ghp_'));
  });

  void it('hides other known formats', () => {
    for (const secret of ['sk-proj-abcdefghijklmnopqrstuvwx', 'gho_abcdefghijklmnopqrstuvwxyz', 'xoxb-1234567890-abc', 'AKIAABCDEFGHIJKLMNOP']) {
      assert.equal(redactText(`x ${secret} y`), 'x [redacted] y', secret);
    }
  });

  void it('hides every occurrence of the given secret values', () => {
    const out = redactText('pw=hunter2hunter2; again hunter2hunter2', ['hunter2hunter2']);
    assert.equal(out, 'pw=[redacted]; again [redacted]');
  });

  void it('ignores given values shorter than 8 characters', () => {
    assert.equal(redactText('value abc and 1234567', ['abc', '1234567']), 'value abc and 1234567');
  });

  void it('hides the whole of a secret that contains another one', () => {
    const out = redactText('long: abcdefgh12345678 short: abcdefgh', ['abcdefgh', 'abcdefgh12345678']);
    assert.equal(out, 'long: [redacted] short: [redacted]');
  });

  void it('leaves ordinary text alone', () => {
    const text = 'The sky is blue; task-ant-hill and skeleton keys are fine. ghp_short';
    assert.equal(redactText(text), text);
  });
});

void describe('redactEnv', () => {
  void it('redacts secret-named values and keeps the rest', () => {
    const out = redactEnv({
      ANTHROPIC_API_KEY: ANTHROPIC,
      GITHUB_TOKEN: GITHUB,
      DB_PASSWORD: 'correct horse',
      PATH: '/usr/local/bin:/usr/bin',
      HOME: '/home/me',
      OPTS: `--key ${ANTHROPIC}`,
      GONE: undefined,
    });
    assert.deepEqual(out, {
      ANTHROPIC_API_KEY: '[redacted]',
      GITHUB_TOKEN: '[redacted]',
      DB_PASSWORD: '[redacted]',
      PATH: '/usr/local/bin:/usr/bin',
      HOME: '/home/me',
      OPTS: '--key [redacted]',
    });
  });

  void it('does not change its input', () => {
    const env = { GITHUB_TOKEN: GITHUB };
    redactEnv(env);
    assert.equal(env.GITHUB_TOKEN, GITHUB);
  });
});

void describe('SECRET_NAME', () => {
  const secret = ['ANTHROPIC_API_KEY', 'API_KEY', 'APIKEY', 'KEY', 'SSH_KEY_PATH', 'GITHUB_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'DB_PASSWORD', 'PASSWD', 'GOOGLE_APPLICATION_CREDENTIALS', 'SESSION_COOKIE', 'PRIVATE_PEM', 'db_password'];
  const plain = ['PATH', 'HOME', 'KEYBOARD_LAYOUT', 'MONKEY', 'LANG', 'TERM'];
  for (const name of secret) void it(`${name} is secret`, () => assert.ok(SECRET_NAME.test(name)));
  for (const name of plain) void it(`${name} is not`, () => assert.ok(!SECRET_NAME.test(name)));
});
