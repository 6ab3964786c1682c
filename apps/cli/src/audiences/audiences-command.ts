import { audienceStreamName, publicEvent, type AudienceOrigin } from '@spillway/xdm';
import type { CliContext, CommandResult } from '../cli/context.ts';
import { withStore } from '../cli/store-connection.ts';
import { audienceEvents } from '../config-streams/public-catalogs.ts';
import { readCurrent } from '@spillway/event-streams';
import { nextAudienceDefinition } from './audience-definition.ts';

export interface DefineAudience {
  readonly audienceId: string;
  readonly audienceName: string;
  readonly mergePolicyId: string;
  readonly origin: AudienceOrigin;
}

/** `spillway audiences define`: writes AudienceDefined unless the definition is already the same. */
export async function runDefineAudience(context: CliContext, command: DefineAudience): Promise<CommandResult> {
  const stream = audienceStreamName(command.audienceId);
  const desired = { audienceId: command.audienceId, name: command.audienceName, mergePolicyId: command.mergePolicyId, origin: command.origin };
  return withStore(context, async (store) => {
    const { latest, revision } = await readCurrent(store, stream, audienceEvents);
    const next = nextAudienceDefinition(latest?.event.data, desired, context.now());
    if (next.change !== 'unchanged') {
      const event = publicEvent('AudienceDefined', next.definition);
      await store.appendEvents(stream, audienceEvents, [event], { expectedRevision: revision });
    }
    return {
      text: [`audience ${command.audienceId}: ${next.change}${next.change === 'unchanged' ? ', nothing written' : ` (${stream})`}`],
      json: { kind: 'audience', id: command.audienceId, stream, change: next.change, definition: next.definition },
    };
  });
}
