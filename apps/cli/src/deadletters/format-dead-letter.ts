import type { ListedDeadLetter } from '@spillway/dataflow-status';
import type { ExportDeadLettered } from '@spillway/pipeline-events';

const answerOf = (deadLetter: Pick<ExportDeadLettered, 'status' | 'errorCode'>) =>
  deadLetter.status !== undefined ? `HTTP ${deadLetter.status}` : (deadLetter.errorCode ?? 'not sent');

/** One line of `deadletters list`. */
export function deadLetterLine(deadLetter: ListedDeadLetter): string {
  const replay = deadLetter.replayId === undefined ? '' : ' (replay)';
  const replayed = deadLetter.replayed === undefined ? '' : `  replayed ${deadLetter.replayed.replayedAt}`;
  return `${deadLetter.deadLetteredAt}  ${deadLetter.exportId}  dataflow ${deadLetter.dataflowId}  profile ${deadLetter.profileId}  seq ${deadLetter.sequence}  ${answerOf(deadLetter)}  ${deadLetter.attempts.length} attempts${replay}: ${deadLetter.reason}${replayed}`;
}

/** The `--json` entry of `deadletters list`: everything but the document and request. */
export function deadLetterSummary(deadLetter: ListedDeadLetter) {
  const { export: _export, request: _request, ...summary } = deadLetter;
  return summary;
}

/** `deadletters show`: the whole dead letter, for people. */
export function deadLetterDetail(deadLetter: ListedDeadLetter): string[] {
  const lines = [
    `export ${deadLetter.exportId}${deadLetter.replayId === undefined ? '' : ` (replay ${deadLetter.replayId})`}`,
    `  dataflow ${deadLetter.dataflowId}, destination ${deadLetter.destinationId}, profile ${deadLetter.profileId}, sequence ${deadLetter.sequence}`,
    `  dead-lettered ${deadLetter.deadLetteredAt}: ${deadLetter.reason}`,
    ...(deadLetter.replayed === undefined ? [] : [`  replayed ${deadLetter.replayed.replayedAt} (replay ${deadLetter.replayed.replayId})`]),
  ];
  if (deadLetter.request === undefined) lines.push('  request: not sent (the destination could not be used)');
  else {
    const { url, queryParamNames, headers } = deadLetter.request;
    lines.push(`  request: POST ${url}${queryParamNames.length > 0 ? ` (query parameters ${queryParamNames.join(', ')}; values not recorded)` : ''}`);
    for (const [name, value] of Object.entries(headers)) lines.push(`    ${name}: ${value}`);
  }
  lines.push(`  attempts (${deadLetter.attempts.length}):`);
  for (const attempt of deadLetter.attempts) {
    lines.push(`    #${attempt.attempt} ${attempt.startedAt} ${answerOf(attempt)} after ${Math.round(attempt.durationMs)} ms: ${attempt.reason}`);
  }
  lines.push('  document:', ...JSON.stringify(deadLetter.export.document, null, 2).split('\n').map((line) => `    ${line}`));
  return lines;
}
