import type { Position } from './position.ts';

/**
 * The low watermark of a consumer that finishes events out of order: the position up to which
 * everything it was given is done. Work and markers are registered in $all order; the
 * watermark only moves past an entry once every entry before it is done, so a checkpoint taken
 * from it never skips an event still in flight.
 */
export interface ProgressTracker {
  /** Registers work at `position`; call the returned function once it is done (at most once). */
  begin(position: Position | undefined): () => void;
  /**
   * A point with no work of its own (a scanned-up-to checkpoint, caught-up): reached as soon as
   * everything registered before it is done, at once if nothing is pending.
   */
  mark(position: Position | undefined, onReached?: () => void): void;
  /** Everything registered up to and including this position is done. */
  watermark(): Position | undefined;
  /** Work begun and not yet done. */
  pending(): number;
}

interface Entry {
  position: Position | undefined;
  done: boolean;
  onReached: (() => void) | undefined;
}

export function createProgressTracker(initial: Position | undefined): ProgressTracker {
  let watermark = initial;
  let pending = 0;
  const queue: Entry[] = [];
  let head = 0;

  const reach = (entry: Entry) => {
    if (entry.position) watermark = entry.position;
    entry.onReached?.();
  };
  const drain = () => {
    while (head < queue.length && queue[head]!.done) reach(queue[head++]!);
    // Reclaim the consumed prefix now and then, so the queue stays as long as what is in flight.
    if (head === queue.length) queue.length = head = 0;
    else if (head > 1024 && head * 2 > queue.length) {
      queue.splice(0, head);
      head = 0;
    }
  };

  return {
    begin(position) {
      const entry: Entry = { position, done: false, onReached: undefined };
      queue.push(entry);
      pending++;
      return () => {
        if (entry.done) return;
        entry.done = true;
        pending--;
        drain();
      };
    },
    mark(position, onReached) {
      if (head === queue.length) return reach({ position, done: true, onReached });
      const last = queue[queue.length - 1]!;
      // Consecutive scan markers behind a slow event fold into one, so a long stall over a
      // stream of filtered-out events does not grow the queue.
      if (last.done && !last.onReached && !onReached) last.position = position ?? last.position;
      else queue.push({ position, done: true, onReached });
    },
    watermark: () => watermark,
    pending: () => pending,
  };
}
