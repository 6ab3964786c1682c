import type { Logger } from '@spillway/runtime';
import type { OutputFormat } from './command.ts';

/** What a command gets from main: where the store is, how to print, and the clock and randomness. */
export interface CliContext {
  readonly connectionString: string;
  readonly output: OutputFormat;
  readonly verbose: boolean;
  readonly logger: Logger;
  /** Relative config paths are resolved against it. */
  readonly cwd: string;
  readonly now: () => number;
  readonly random: () => number;
  readonly newId: () => string;
  /** A line on stderr that is not an error (a warning, a hint); kept out of stdout so --json stays parseable. */
  readonly note: (text: string) => void;
}

/** What a command printed: lines for people, a value for `--json`. */
export interface CommandResult {
  readonly text: readonly string[];
  readonly json: unknown;
}
