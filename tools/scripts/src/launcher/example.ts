import { join } from 'node:path';
import { startChild, type RunningChild } from './child-process.ts';

/** The bundled example: a receiver that prints what it gets, and a configuration whose destination is that receiver. */
export interface ExampleOptions {
  /** The configuration file `spillway apply` writes (examples/spillway.yaml by default). */
  readonly configFile: string;
  /** Where the example receiver listens on 127.0.0.1 (its RECEIVER_PORT). */
  readonly receiverPort: number;
}

export const defaultReceiverPort = 8787;

export function startExampleReceiver(root: string, example: ExampleOptions, env: NodeJS.ProcessEnv): RunningChild {
  return startChild({
    name: 'example-receiver',
    script: join(root, 'apps/example-receiver/src/main.ts'),
    env: { ...env, RECEIVER_PORT: String(example.receiverPort) },
    cwd: root,
  });
}

/**
 * `spillway apply <configFile>` as a one-shot child, its output prefixed `[spillway]`. The CLI
 * writes only what changed, so applying the same file at every start writes nothing new.
 */
export function applyExampleConfig(root: string, example: ExampleOptions, env: NodeJS.ProcessEnv): RunningChild {
  return startChild({
    name: 'spillway',
    script: join(root, 'apps/cli/src/main.ts'),
    args: ['apply', example.configFile],
    env,
    cwd: root,
  });
}
