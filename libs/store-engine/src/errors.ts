/** Errors the engines throw (appends reject with them). Outcomes a client expects are not errors: see AppendOutcome. */

export class MaxAppendSizeExceededError extends Error {
  readonly type = 'max_append_size_exceeded';
  readonly maxAppendSize: number;
  readonly size: number;
  constructor(maxAppendSize: number, size: number) {
    super(`Maximum Append Size of ${maxAppendSize} Exceeded (append is ${size} bytes).`);
    this.name = 'MaxAppendSizeExceededError';
    this.maxAppendSize = maxAppendSize;
    this.size = size;
  }
}

export class MaxAppendEventSizeExceededError extends Error {
  readonly type = 'max_append_event_size_exceeded';
  readonly eventId: string;
  readonly maxAppendEventSize: number;
  readonly size: number;
  constructor(eventId: string, maxAppendEventSize: number, size: number) {
    super(`Event with Id: ${eventId}, Size: ${size}, exceeds Maximum Append Event Size of ${maxAppendEventSize}.`);
    this.name = 'MaxAppendEventSizeExceededError';
    this.eventId = eventId;
    this.maxAppendEventSize = maxAppendEventSize;
    this.size = size;
  }
}

export class InvalidAppendError extends Error {
  readonly type = 'invalid_append';
  readonly streamId: string;
  constructor(streamId: string, reason: string) {
    super(`Invalid append to stream '${streamId.slice(0, 200)}': ${reason}`);
    this.name = 'InvalidAppendError';
    this.streamId = streamId.slice(0, 200);
  }
}

export class EngineClosedError extends Error {
  readonly type = 'engine_closed';
  constructor() {
    super('The store engine is closed.');
    this.name = 'EngineClosedError';
  }
}

/** A commit failed (disk full, I/O error): writes are refused until the process restarts and reopens the data. */
export class EngineFailedError extends Error {
  readonly type = 'engine_failed';
  constructor(cause: unknown) {
    super(`The store engine stopped accepting writes after a failed commit: ${messageOf(cause)}`, { cause });
    this.name = 'EngineFailedError';
  }
}

/** The data file cannot be trusted; the engine refuses to open it (see README, "Damaged data file"). */
export class StoreDataDamagedError extends Error {
  readonly type = 'store_data_damaged';
  readonly file: string;
  readonly reason: string;
  constructor(file: string, reason: string) {
    super(
      `The store data file ${file} is damaged: ${reason}. ` +
        'Restore it from a backup, or open with onDamagedFile: "move-aside" to set it aside and start with an empty store.',
    );
    this.name = 'StoreDataDamagedError';
    this.file = file;
    this.reason = reason;
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A commit found no room: the disk holding the data file is full (or the LMDB map is). The write
 * is refused and rolled back; everything committed before is intact and readable, and writes
 * succeed again once space is freed (the engine does not need a restart).
 */
export class StoreFullError extends Error {
  readonly type = 'store_full';
  readonly dataDir: string;
  constructor(dataDir: string, cause: unknown) {
    super(`The store has no space left to write in ${dataDir} (${messageOf(cause)}): the write was refused; free space on that disk and writes resume.`, { cause });
    this.name = 'StoreFullError';
    this.dataDir = dataDir;
  }
}
