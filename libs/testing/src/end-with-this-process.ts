import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

const running = new Set<ChildProcess>();
const ownedPaths = new Set<string>();
let listening = false;

function listenForExit(): void {
  if (listening) return;
  listening = true;
  process.on('exit', () => {
    for (const orphan of running) orphan.kill('SIGTERM');
    for (const path of ownedPaths) {
      try {
        rmSync(path, { recursive: true, force: true });
      } catch {
        // an exit handler cannot wait or report; what is left stays in the temp dir
      }
    }
  });
}

/**
 * SIGTERMs `child` when this process exits first: a script that ends with `process.exit` or an
 * uncaught error, without stopping what it started, would otherwise leave a store or a service
 * running (holding its port and data directory) long after it. A parent killed by a signal
 * runs no exit handler; Ctrl-C reaches the children through the process group anyway.
 */
export function endWithThisProcess(child: ChildProcess): void {
  listenForExit();
  running.add(child);
  child.once('exit', () => running.delete(child));
}

/**
 * Deletes `path` when this process exits (after its children were told to stop): a temporary
 * directory a helper created, which a script that exits without cleaning up would leave behind.
 */
export function removeWithThisProcess(path: string): void {
  listenForExit();
  ownedPaths.add(path);
}
