import type { EventSelector, ReadAllOptions, RecordedEvent, SelectedPage } from './engine.ts';

/** What one committed write operation changed in the log. */
export interface LogChange {
  /** Events it appended, in position order. */
  readonly written: readonly RecordedEvent[];
  /** Positions whose rows it removed (events hidden by stream metadata). */
  readonly removed: readonly number[];
}

export interface RecentEventsLimits {
  readonly maxEvents: number;
  /** Data and metadata bytes of the events kept. */
  readonly maxBytes: number;
}

export const defaultRecentEventsLimits: RecentEventsLimits = { maxEvents: 8_192, maxBytes: 16 * 1024 * 1024 };

/**
 * The newest part of the log, as the writer wrote it, kept decoded in memory: every live
 * subscription wakes on each commit and reads the events just committed, and serving those from
 * here saves an LMDB range scan and a row decode per event and subscriber. It mirrors the log's
 * rows from position `first` up to the durable head: it is changed only once a commit is durable,
 * with the commit's appended events and removed rows, in commit order. Reads that start before
 * `first` (a subscriber that fell behind, backwards reads) go to LMDB. Bounded: the oldest events
 * are dropped past `maxEvents` or `maxBytes`.
 */
export class RecentEvents {
  /** Slot i holds the event at position first + i, undefined once its row was removed. */
  private slots: (RecordedEvent | undefined)[] = [];
  private offset = 0;
  private first: number;
  private count = 0;
  private bytes = 0;
  private readonly limits: RecentEventsLimits;

  /** `head`: the newest position in the log (0 when empty); the tail starts empty after it. */
  constructor(head: number, limits: RecentEventsLimits = defaultRecentEventsLimits) {
    this.first = head + 1;
    this.limits = limits;
  }

  /** Records a durable commit's changes, in the order its operations ran. */
  committed(changes: readonly LogChange[]): void {
    for (const { written, removed } of changes) {
      for (const event of written) {
        // Positions only grow (the newest row is never removed); anything else would be a bug,
        // and starting over after it keeps the reads exact.
        if (!this.add(event)) this.restartAfter(Number(event.position));
      }
      for (const position of removed) this.remove(position);
    }
    this.evict();
  }

  /**
   * The page readAllSelected would read from the log, or undefined when the read does not start
   * within the events kept here.
   */
  selected(options: ReadAllOptions, selector: EventSelector): SelectedPage | undefined {
    const start = this.startOf(options);
    if (start === undefined) return undefined;
    const events: RecordedEvent[] = [];
    let scanned = 0;
    let lastScanned: bigint | undefined;
    const limit = Number(options.maxCount);
    for (let index = start; index < this.slots.length && scanned < limit; index++) {
      const event = this.slots[index];
      if (event === undefined) continue;
      scanned += 1;
      lastScanned = event.position;
      if (selector.matches(selector.field === 'streamId' ? event.streamId : event.type)) events.push(event);
    }
    return { events, scanned, lastScanned };
  }

  /** The events readAll would read from the log, or undefined as for `selected`. */
  all(options: ReadAllOptions): RecordedEvent[] | undefined {
    const start = this.startOf(options);
    if (start === undefined) return undefined;
    const events: RecordedEvent[] = [];
    const limit = Number(options.maxCount);
    for (let index = start; index < this.slots.length && events.length < limit; index++) {
      const event = this.slots[index];
      if (event !== undefined) events.push(event);
    }
    return events;
  }

  /** Slot index of a forwards read's first position, when this tail holds everything from there on. */
  private startOf(options: ReadAllOptions): number | undefined {
    if (options.direction !== 'forwards' || typeof options.from !== 'bigint' || options.maxCount <= 0n) return undefined;
    if (options.from < BigInt(this.first)) return undefined;
    const from = options.from > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(options.from);
    return this.offset + Math.min(from - this.first, this.slots.length - this.offset);
  }

  private add(event: RecordedEvent): boolean {
    const index = this.offset + Number(event.position) - this.first;
    if (index < this.slots.length) return false;
    while (this.slots.length < index) this.slots.push(undefined);
    this.slots.push(event);
    this.count += 1;
    this.bytes += sizeOf(event);
    return true;
  }

  private restartAfter(position: number): void {
    this.slots = [];
    this.offset = 0;
    this.first = position + 1;
    this.count = 0;
    this.bytes = 0;
  }

  private remove(position: number): void {
    const index = this.offset + position - this.first;
    if (index < this.offset || index >= this.slots.length) return;
    const event = this.slots[index];
    if (event === undefined) return;
    this.slots[index] = undefined;
    this.count -= 1;
    this.bytes -= sizeOf(event);
  }

  private evict(): void {
    while (this.offset < this.slots.length && (this.count > this.limits.maxEvents || this.bytes > this.limits.maxBytes)) {
      const event = this.slots[this.offset];
      this.slots[this.offset] = undefined;
      this.offset += 1;
      this.first += 1;
      if (event === undefined) continue;
      this.count -= 1;
      this.bytes -= sizeOf(event);
    }
    if (this.offset > 1_024 && this.offset * 2 > this.slots.length) {
      this.slots = this.slots.slice(this.offset);
      this.offset = 0;
    }
  }
}

const sizeOf = (event: RecordedEvent) => event.data.length + event.metadata.length;
