import { join } from 'node:path';
import type { SessionPriority } from '../session/types.js';
import { apiError, bash, hang, say, write, type Scenario } from '../testing/scenario.js';

/** One task of the offline demo: what the scripted model does, and what the demo shows with it. */
export interface DemoTask {
  title: string;
  priority: SessionPriority;
  scenario: Scenario;
  timeoutMs?: number;
  /** The demo crashes this session (SIGSEGV) while this command runs, to show a recovery by resume. */
  crashDuring?: string;
}

/** The demo's tasks, working in the folder `work`. */
export const demoTasks = (work: string): DemoTask[] => [
  {
    title: 'Add a health check',
    priority: 'high',
    scenario: {
      name: 'health',
      steps: [bash('ls -la && echo checking'), write(join(work, 'health.ts'), 'export const health = () => "ok";\n'), bash('cat health.ts'), say('Added health.ts.', { input: 1200, output: 300 })],
    },
  },
  {
    title: 'Clean the build folder',
    priority: 'medium',
    scenario: { name: 'clean', steps: [bash(`rm -rf ${join(work, 'build')}`), bash('echo "removing files one by one instead"'), say('Left build/ alone: rm -rf is forbidden.')] },
  },
  {
    title: 'Deploy to staging',
    priority: 'critical',
    scenario: { name: 'deploy', steps: [bash('./deploy.sh staging'), say('Deployed to staging after approval.')] },
  },
  {
    title: 'Crunch the numbers',
    priority: 'low',
    scenario: { name: 'crunch', steps: [bash('echo crunching && sleep 30'), say('Resumed after the crash and finished.')] },
    crashDuring: 'sleep 30',
  },
  { title: 'Use a revoked API key', priority: 'medium', scenario: { name: 'revoked', steps: [apiError(401, { message: 'invalid x-api-key' })] } },
  { title: 'Wait on a stuck API', priority: 'low', scenario: { name: 'stuck', loop: true, steps: [hang()] }, timeoutMs: 3000 },
];
