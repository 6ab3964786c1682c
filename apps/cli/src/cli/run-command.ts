import { runCertificate } from '../agent-info/certificate-command.ts';
import { runEgressAddresses } from '../agent-info/egress-addresses-command.ts';
import { runApply } from '../apply/apply-command.ts';
import { runDefineAudience } from '../audiences/audiences-command.ts';
import { runImportAudience } from '../audiences/import-command.ts';
import { runBackfillStatus } from '../backfill/backfill-command.ts';
import { runListDeadLetters, runReplayDeadLetters, runShowDeadLetter } from '../deadletters/deadletters-command.ts';
import { runListDataflows, runShowDataflow } from '../dataflows/dataflows-command.ts';
import { runListDestinations, runShowDestination } from '../destinations/destinations-command.ts';
import { runIngestAttributes, runIngestIdentities, runIngestMembership, runIngestSample } from '../ingest/ingest-command.ts';
import type { Command } from './command.ts';
import { commandSpecs, commandUsage, generalUsage } from './command-specs.ts';
import type { CliContext, CommandResult } from './context.ts';
import { UsageError } from './errors.ts';

// eslint-disable-next-line complexity -- one case per command, nothing else
export async function runCommand(context: CliContext, command: Command): Promise<CommandResult> {
  switch (command.name) {
    case 'help':
      return help(command.topic);
    case 'apply':
      return runApply(context, command);
    case 'audiences define':
      return runDefineAudience(context, command);
    case 'audiences import':
      return runImportAudience(context, command);
    case 'ingest attributes':
      return runIngestAttributes(context, command);
    case 'ingest identities':
      return runIngestIdentities(context, command);
    case 'ingest membership':
      return runIngestMembership(context, command);
    case 'ingest sample':
      return runIngestSample(context, command);
    case 'dataflows list':
      return runListDataflows(context);
    case 'dataflows show':
      return runShowDataflow(context, command.dataflowId);
    case 'backfill status':
      return runBackfillStatus(context, command);
    case 'deadletters list':
      return runListDeadLetters(context, command.filters);
    case 'deadletters show':
      return runShowDeadLetter(context, command.exportId);
    case 'deadletters replay':
      return runReplayDeadLetters(context, command);
    case 'destinations list':
      return runListDestinations(context);
    case 'destinations show':
      return runShowDestination(context, command.destinationId);
    case 'certificate':
      return runCertificate(context, command);
    case 'egress-addresses':
      return runEgressAddresses(context, command);
    default: {
      const unknown: never = command;
      throw new Error(`unhandled command ${JSON.stringify(unknown)}`);
    }
  }
}

function help(topic: string | undefined): CommandResult {
  if (topic === undefined) return { text: generalUsage().split('\n'), json: { usage: generalUsage() } };
  const specs = commandSpecs.filter((spec) => spec.name === topic || spec.name.startsWith(`${topic} `));
  if (specs.length === 0) throw new UsageError(`no help for '${topic}': unknown command`);
  const usage = specs.length === 1 ? commandUsage(specs[0]!) : specs.map((spec) => `${spec.usage}\n    ${spec.summary}`).join('\n');
  return { text: usage.split('\n'), json: { usage } };
}
