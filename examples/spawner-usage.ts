// The spec's ClaudeSessionSpawner usage example, unchanged except for its import line.
import ClaudeSessionSpawner from 'vp-daemon';

const spawner = new ClaudeSessionSpawner();

// Configure session
const config = {
  workingDirectory: '/path/to/project',
  charter: {
    identity: {
      name: 'Engineering VP',
      email: 'vp@company.com',
      role: 'Senior Software Engineer',
    },
    objectives: ['Implement feature X', 'Write comprehensive tests', 'Update documentation'],
    constraints: {
      forbiddenCommands: ['rm -rf', 'git push --force'],
      forbiddenPatterns: [/deploy.*production/i],
      requiredApprovals: ['deploy', 'publish'],
    },
    resources: {
      maxTokens: 200000,
      maxExecutionTime: 1800000, // 30 minutes
      allowedTools: ['read', 'write', 'bash', 'glob', 'grep'],
    },
  },
  taskContext: {
    taskId: 'TASK-123',
    description: 'Implement user authentication system',
    priority: 'high',
  },
  memory: {
    recentActions: [],
    conversationHistory: [],
    preferences: {
      testFramework: 'jest',
      codeStyle: 'functional',
    },
    projectContext: {
      techStack: ['TypeScript', 'React', 'Node.js'],
    },
  },
  timeout: 1800000, // 30 minutes
};

// Spawn session
const { sessionId, status, completion } = await spawner.spawnSession(config);

console.log(`Session ${sessionId} started with PID ${status.pid}`);

// Monitor session
spawner.on('session-output', ({ sessionId, type, data }) => {
  console.log(`[${sessionId}] ${type}: ${data}`);
});

// Wait for completion
const finalStatus = await completion;

console.log(`Session completed with state: ${finalStatus.state}`);
console.log(`Execution time: ${finalStatus.executionTime}ms`);
console.log(`Commands executed: ${finalStatus.metrics.commandsExecuted}`);
