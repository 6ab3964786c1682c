import type { EventSelector } from '@spillway/store-engine';
import type { FilterOptions } from './protocol.ts';

export interface EventFilter {
  /** Compiled once per request; the engine applies it to each scanned event's stream id or type. */
  readonly selector: EventSelector;
  /** Scanned events between checkpoints: search window x checkpoint interval multiplier. */
  readonly checkpointInterval: number;
  readonly description: string;
}

export class InvalidFilterError extends Error {
  readonly type = 'invalid-filter';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidFilterError';
  }
}

/** EventStoreDB's default search window (its read batch size) when the client asks for `count`. */
const defaultSearchWindow = 32;

/** Stream-name or event-type filter, by regex (unanchored, as .NET's IsMatch) or by prefixes. */
export function eventFilterFrom(options: FilterOptions): EventFilter {
  const byStream = options.hasStreamIdentifier();
  const expression = byStream ? options.getStreamIdentifier() : options.getEventType();
  if (expression === undefined) throw new InvalidFilterError('Filter has neither a stream identifier nor an event type expression');
  const field = byStream ? 'streamId' : 'type';
  const window = options.hasMax() ? options.getMax() : defaultSearchWindow;
  const multiplier = options.getCheckpointintervalmultiplier();
  if (window <= 0 || multiplier <= 0) throw new InvalidFilterError('Search window and checkpoint interval multiplier must be positive');
  const checkpointInterval = window * multiplier;
  const regex = expression.getRegex();
  if (regex !== '') {
    let pattern: RegExp;
    try {
      pattern = new RegExp(regex);
    } catch (error) {
      throw new InvalidFilterError(`Invalid filter regex: ${(error as Error).message}`);
    }
    return { selector: { field, matches: (value) => pattern.test(value) }, checkpointInterval, description: `${byStream ? 'stream' : 'type'} ~ ${regex}` };
  }
  const prefixes = expression.getPrefixList();
  return {
    selector: { field, matches: prefixMatcher(prefixes) },
    checkpointInterval,
    description: `${byStream ? 'stream' : 'type'} prefix ${prefixes.join(',')}`,
  };
}

function prefixMatcher(prefixes: readonly string[]): (value: string) => boolean {
  const [only] = prefixes;
  if (prefixes.length === 1) return (value) => value.startsWith(only!);
  return (value) => {
    for (const prefix of prefixes) if (value.startsWith(prefix)) return true;
    return false;
  };
}
