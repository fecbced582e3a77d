// Redis for the fleet's tests: VP_TEST_REDIS_URL when set, else a private redis-server on a free port when the
// binary exists; otherwise the tests skip with the reason, except under CI=true, where they fail.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

export interface TestRedis {
  url: string;
  /** Stops the private server (a shared one is left running). */
  stop(): Promise<void>;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

async function answers(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** Why the fleet's tests cannot run here, or undefined when they can (CI=true never skips: it fails instead). */
export function redisUnavailable(): string | undefined {
  if (process.env['VP_TEST_REDIS_URL'] || process.env['CI'] === 'true') return undefined;
  return spawnSync('redis-server', ['--version']).status === 0 ? undefined : 'no Redis: set VP_TEST_REDIS_URL or install redis-server';
}

/** A Redis to test against (see the file's header). */
export async function startTestRedis(): Promise<TestRedis> {
  const shared = process.env['VP_TEST_REDIS_URL'];
  if (shared) return { url: shared, stop: () => Promise.resolve() };
  return startPrivateRedis(['--save', '', '--appendonly', 'no']);
}

/** A private redis-server that keeps its data in `dir` (append-only file), and can be restarted on its port. */
export async function startPersistentRedis(dir: string): Promise<TestRedis & { restart(downMs: number): Promise<void> }> {
  const args = ['--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir];
  let server = await startPrivateRedis(args);
  const port = Number(new URL(server.url).port);
  return {
    url: server.url,
    stop: () => server.stop(),
    restart: async (downMs) => {
      await server.stop();
      await new Promise((r) => setTimeout(r, downMs));
      server = await startPrivateRedis(args, port);
    },
  };
}

async function startPrivateRedis(args: readonly string[], port?: number): Promise<TestRedis> {
  port ??= await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', ...args], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; i < 100 && !(await answers(url)); i++) await new Promise((r) => setTimeout(r, 50));
  if (!(await answers(url))) {
    child.kill('SIGKILL');
    throw new Error(`redis-server on port ${port} did not start`);
  }
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Removes every key of `prefix` (a test's own fleet). */
export async function removeKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const keys: string[] = [];
    for (let cursor = '0'; ; ) {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      keys.push(...found);
      cursor = next;
      if (cursor === '0') break;
    }
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}
