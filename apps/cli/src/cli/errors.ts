import type { LocatedIssue } from '../config-file/parse-config-text.ts';

/** A mistake in the command line (unknown command, missing or malformed option). Exit code 1. */
export class UsageError extends Error {
  readonly type = 'usage';
  /** The command whose `--help` explains the right usage, when known. */
  readonly helpTopic: string | undefined;
  constructor(message: string, helpTopic?: string) {
    super(message);
    this.name = 'UsageError';
    this.helpTopic = helpTopic;
  }
}

/** A config file that cannot be applied; nothing was written. Exit code 1. */
export class ConfigFileError extends Error {
  readonly type = 'config-file-invalid';
  readonly file: string;
  readonly issues: readonly LocatedIssue[];
  constructor(file: string, issues: readonly LocatedIssue[]) {
    super(`${file}: ${issues.length} problem${issues.length === 1 ? '' : 's'}, nothing was written`);
    this.name = 'ConfigFileError';
    this.file = file;
    this.issues = issues;
  }
}

/** A destination, dataflow or audience that the store does not have (or has deleted). Exit code 1. */
export class NotFoundError extends Error {
  readonly type = 'not-found';
  readonly kind: string;
  readonly id: string;
  constructor(kind: string, id: string, detail: string) {
    super(`${kind} '${id}' ${detail}`);
    this.name = 'NotFoundError';
    this.kind = kind;
    this.id = id;
  }
}

/** The store did not answer. Exit code 2. `connection` has any credentials masked. */
export class StoreUnreachableError extends Error {
  readonly type = 'store-unreachable';
  readonly connection: string;
  readonly reason: string;
  constructor(connection: string, reason: string, cause?: unknown) {
    super(`cannot reach the event store at ${connection} (${reason})`, { cause });
    this.name = 'StoreUnreachableError';
    this.connection = connection;
    this.reason = reason;
  }
}

/** What was written before a later write failed, so the user knows where apply stopped. */
export class ApplyInterruptedError extends Error {
  readonly type = 'apply-interrupted';
  readonly written: readonly string[];
  constructor(written: readonly string[], cause: unknown) {
    super(`apply stopped after writing ${written.length === 0 ? 'nothing' : written.join(', ')}`, { cause });
    this.name = 'ApplyInterruptedError';
    this.written = written;
  }
}

/** The delivery agent's public info endpoint did not answer. Exit code 2. */
export class AgentUnreachableError extends Error {
  readonly type = 'agent-unreachable';
  readonly agentUrl: string;
  readonly reason: string;
  constructor(agentUrl: string, reason: string, cause?: unknown) {
    super(`cannot reach the delivery agent at ${agentUrl} (${reason})`, { cause });
    this.name = 'AgentUnreachableError';
    this.agentUrl = agentUrl;
    this.reason = reason;
  }
}

/** The delivery agent answered, but not with what was asked (e.g. 404: no client certificate). Exit code 1. */
export class AgentAnswerError extends Error {
  readonly type = 'agent-answer';
  readonly agentUrl: string;
  readonly status: number;
  constructor(agentUrl: string, status: number, message: string) {
    super(`the delivery agent at ${agentUrl} answered ${status}: ${message}`);
    this.name = 'AgentAnswerError';
    this.agentUrl = agentUrl;
    this.status = status;
  }
}

export type CliError = UsageError | ConfigFileError | NotFoundError | StoreUnreachableError | ApplyInterruptedError | AgentUnreachableError | AgentAnswerError;

/** Masks `user:password@` in a connection string before it is shown. */
export function maskCredentials(connectionString: string): string {
  return connectionString.replace(/^([a-z+]+:\/\/)[^@/?]*@/i, '$1***@');
}
