import type { ChildProcess } from 'node:child_process';

const running = new Set<ChildProcess>();
let listening = false;

/**
 * SIGTERMs `child` when this process exits first: a script that ends with `process.exit` or an
 * uncaught error, without stopping what it started, would otherwise leave a store or a service
 * running (holding its port and data directory) long after it. A parent killed by a signal
 * runs no exit handler; Ctrl-C reaches the children through the process group anyway.
 */
export function endWithThisProcess(child: ChildProcess): void {
  if (!listening) {
    listening = true;
    process.on('exit', () => {
      for (const orphan of running) orphan.kill('SIGTERM');
    });
  }
  running.add(child);
  child.once('exit', () => running.delete(child));
}
