export * from './harness/alerts.ts';
export * from './harness/cli.ts';
export * from './harness/settle.ts';
export * from './harness/stack.ts';
export * from './harness/wait.ts';
