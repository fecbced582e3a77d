// The spec's SessionPool usage example, unchanged except for its import lines. The spec leaves
// `sessionConfig` to the reader; it is the config of the spec's spawner example.
import ClaudeSessionSpawner, { SessionPool } from 'vp-daemon';

const sessionConfig = {
  workingDirectory: '/path/to/project',
  charter: {
    identity: { name: 'Engineering VP', email: 'vp@company.com', role: 'Senior Software Engineer' },
    objectives: ['Implement feature X', 'Write comprehensive tests', 'Update documentation'],
    constraints: {
      forbiddenCommands: ['rm -rf', 'git push --force'],
      forbiddenPatterns: [/deploy.*production/i],
      requiredApprovals: ['deploy', 'publish'],
    },
    resources: { maxTokens: 200000, maxExecutionTime: 1800000, allowedTools: ['read', 'write', 'bash', 'glob', 'grep'] },
  },
  taskContext: { taskId: 'TASK-123', description: 'Implement user authentication system', priority: 'high' },
  memory: { recentActions: [], conversationHistory: [], preferences: {}, projectContext: {} },
  timeout: 1800000,
};

const spawner = new ClaudeSessionSpawner();
const pool = new SessionPool(spawner, {
  maxConcurrentSessions: 5,
  minIdleSessions: 1,
  defaultSessionTimeout: 1800000,
  maxQueueSize: 20,
  autoRecovery: true,
});

// Request session from pool
const request = {
  requestId: 'req-001',
  config: sessionConfig,
  priority: 'high',
  queuedAt: new Date(),
  onAllocated: sessionId => {
    console.log(`Session ${sessionId} allocated`);
  },
  onCompleted: status => {
    console.log(`Session completed: ${status.state}`);
  },
  onFailed: error => {
    console.error(`Session failed: ${error.message}`);
  },
};

const result = await pool.requestSession(request);

// Monitor pool status
const status = pool.getPoolStatus();
console.log(`Pool utilization: ${status.utilization}%`);
console.log(`Active sessions: ${status.activeCount}/${status.capacity}`);
console.log(`Queued requests: ${status.queuedCount}`);

const metrics = pool.getMetrics();
console.log(JSON.stringify({ totalSessions: metrics.totalSessions, sessionId: result.sessionId }));
