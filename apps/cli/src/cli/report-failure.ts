import { WrongExpectedRevisionError } from '@spillway/event-streams';
import type { LocatedIssue } from '../config-file/parse-config-text.ts';
import { AgentAnswerError, AgentUnreachableError, ApplyInterruptedError, ConfigFileError, NotFoundError, StoreUnreachableError, UsageError } from './errors.ts';

export type ExitCode = 1 | 2;

/** How a failure is told: exit code, lines for stderr (main prefixes them), and the same as one JSON object for --json. */
export interface FailureReport {
  readonly exitCode: ExitCode;
  readonly lines: readonly string[];
  readonly json: { readonly error: Readonly<Record<string, unknown>> };
}

const agentHint =
  'is the delivery agent running? It serves this on SPILLWAY_AGENT_HTTP_HOST:SPILLWAY_AGENT_HTTP_PORT (default 127.0.0.1:8790): point --agent-url at it (or use --cert-file for the certificate)';
const storeHint = "is it running? Start it with 'npm start' (or 'npm run store'), or point --connection / EVENTSTORE_CONNECTION_STRING at your EventStoreDB";

export function describeFailure(error: unknown): FailureReport {
  if (error instanceof UsageError) {
    const help = error.helpTopic ? `spillway ${error.helpTopic} --help` : 'spillway --help';
    return report(1, [`${error.message}; see '${help}'`], { type: error.type, message: error.message });
  }
  if (error instanceof ConfigFileError) {
    const lines = [...error.issues.map((issue) => issueLine(error.file, issue)), `${error.file}: nothing was written`];
    return report(1, lines, { type: error.type, file: error.file, issues: error.issues, message: error.message });
  }
  if (error instanceof NotFoundError) return report(1, [error.message], { type: error.type, kind: error.kind, id: error.id, message: error.message });
  if (error instanceof StoreUnreachableError) {
    return report(2, [`${error.message}; ${storeHint}`], { type: error.type, connection: error.connection, reason: error.reason, message: error.message });
  }
  if (error instanceof AgentUnreachableError) {
    return report(2, [`${error.message}; ${agentHint}`], { type: error.type, agentUrl: error.agentUrl, reason: error.reason, message: error.message });
  }
  if (error instanceof AgentAnswerError) return report(1, [error.message], { type: error.type, agentUrl: error.agentUrl, status: error.status, message: error.message });
  if (error instanceof ApplyInterruptedError) {
    const cause = describeFailure(error.cause);
    const line = `${error.message}: ${causeText(error.cause, cause)}`;
    return report(cause.exitCode, [line], { type: error.type, written: error.written, message: line, cause: cause.json.error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return report(1, [`unexpected error: ${message} (run with --verbose for details)`], { type: 'unexpected', message });
}

function causeText(cause: unknown, described: FailureReport): string {
  if (cause instanceof WrongExpectedRevisionError) return `${cause.stream} was changed by someone else meanwhile; run apply again`;
  return described.lines.join('; ');
}

function issueLine(file: string, issue: LocatedIssue): string {
  const place = issue.line === undefined ? file : `${file}:${issue.line}`;
  return issue.path === '(root)' ? `${place}: ${issue.message}` : `${place}: ${issue.path}: ${issue.message}`;
}

function report(exitCode: ExitCode, lines: readonly string[], error: Readonly<Record<string, unknown>>): FailureReport {
  return { exitCode, lines, json: { error } };
}
