// A preamble for the spec's examples: the session config the spec's spawner example builds, which its pool
// example calls `sessionConfig` and leaves to the reader. The spec's examples work in /path/to/project.
export const sessionConfig = {
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
  taskContext: { taskId: 'TASK-123', description: 'Implement user authentication system', priority: 'high' as const },
  memory: { recentActions: [], conversationHistory: [], preferences: {}, projectContext: {} },
  timeout: 1800000,
};
