import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, ErrorCodes } from '../session/errors.js';

const TOKEN_FILE = 'api-token';

/**
 * The control API's bearer token: `<stateDir>/api-token`, 32 random bytes as hex, created with mode 0600
 * (exclusively, so two daemons starting at once agree on one token) and reused when present. Refuses a
 * file that group or others may read, or one too short to be a token.
 */
export async function readOrCreateToken(stateDir: string): Promise<string> {
  const file = join(stateDir, TOKEN_FILE);
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString('hex');
  try {
    const handle = await open(file, 'wx', 0o600);
    try {
      await handle.chmod(0o600); // whatever the umask
      await handle.writeFile(`${token}\n`);
    } finally {
      await handle.close();
    }
    return token;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readExisting(file);
}

async function readExisting(file: string): Promise<string> {
  const info = await stat(file);
  const refuse = (message: string): never => {
    throw new ConfigError([{ field: 'stateDir', message, value: file }], ErrorCodes.INVALID_OPTION);
  };
  if (!info.isFile()) refuse('the API token path is not a file');
  // Windows has no POSIX modes to check.
  if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
    refuse(`the API token file is readable or writable by group or others (mode ${(info.mode & 0o777).toString(8)}); run chmod 600 on it`);
  }
  const token = await readToken(file);
  if (token.length < 32 || /\s/.test(token)) refuse('the API token file does not hold a token of 32 or more characters');
  return token;
}

// Another process may have created the file a moment ago and not yet written it: wait a little for the token.
async function readToken(file: string): Promise<string> {
  for (let attempt = 0; ; attempt += 1) {
    const token = (await readFile(file, 'utf8')).trim();
    if (token !== '' || attempt >= 50) return token;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
