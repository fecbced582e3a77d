import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread that runs the module at `moduleUrl` (a module that serves when it finds itself in a worker).
 * From TypeScript sources (tests, benches) the worker registers the TypeScript loader first, then loads the module.
 */
export function startModuleWorker(moduleUrl: string, options: WorkerOptions): Worker {
  if (!moduleUrl.endsWith('.ts')) return new Worker(new URL(moduleUrl), options);
  const loader = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const code = `import(${loader}).then((m) => { m.register(); return import(${JSON.stringify(moduleUrl)}); });`;
  return new Worker(code, { ...options, eval: true });
}
