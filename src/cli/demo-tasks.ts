import { join } from 'node:path';
import type { SessionPriority, VPCharter } from '../session/types.js';
import { apiError, bash, hang, say, type Scenario } from '../testing/scenario.js';

/** One task of the offline demo: what the scripted model does, and what the demo shows with it. */
export interface DemoTask {
  title: string;
  priority: SessionPriority;
  scenario: Scenario;
  timeoutMs?: number;
  /** The demo crashes this session (SIGSEGV) while this command runs, to show a recovery by resume. */
  crashDuring?: string;
  /** Runs in a git workspace of the demo repository, on a branch of its own. */
  workspace?: true;
}

/** The charter every demo task runs under. */
export const demoCharter = (task: DemoTask): VPCharter => ({
  identity: { name: 'Demo VP', email: 'vp@example.com', role: 'Engineer' },
  objectives: [task.title],
  constraints: { forbiddenCommands: ['rm -rf', 'git push --force'], forbiddenPatterns: [/deploy.*production/i], requiredApprovals: ['deploy'] },
  resources: { maxTokens: 200_000, maxExecutionTime: 60_000, allowedTools: ['read', 'write', 'bash'] },
});

/**
 * The demo's tasks, in the demo repository `repo`. The first three run at once, each in a workspace of `repo`:
 * one commits, one leaves its work uncommitted (the supervisor commits it), one commits an edit to a tracked file.
 */
export const demoTasks = (repo: string): DemoTask[] => [
  {
    title: 'Add a health check',
    priority: 'high',
    workspace: true,
    scenario: {
      name: 'health',
      steps: [
        bash('ls && echo checking'),
        bash(`printf 'export const health = () => "ok";\\n' > health.ts && git add health.ts && git commit -qm 'Add a health check'`),
        say('Added health.ts and committed it.', { input: 1200, output: 300 }),
      ],
    },
  },
  {
    title: 'Write release notes',
    priority: 'medium',
    workspace: true,
    scenario: { name: 'notes', steps: [bash(`printf '# 1.1.0\\n\\n- A health check.\\n' > CHANGELOG.md`), say('Wrote CHANGELOG.md.')] },
  },
  {
    title: 'Bump the version',
    priority: 'medium',
    workspace: true,
    scenario: { name: 'bump', steps: [bash(`echo 1.1.0 > VERSION && git commit -qam 'Bump the version to 1.1.0'`), say('VERSION is 1.1.0.')] },
  },
  {
    title: 'Clean the build folder',
    priority: 'medium',
    scenario: { name: 'clean', steps: [bash(`rm -rf ${join(repo, 'build')}`), bash('echo "removing files one by one instead"'), say('Left build/ alone: rm -rf is forbidden.')] },
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
