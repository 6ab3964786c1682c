import type { EventStore } from '@spillway/event-streams';
import {
  audienceStreamName,
  ingestEvents,
  ingestStreamName,
  profileAttributesWrittenSchema,
  validate,
  type IngestEvent,
  type MembershipStatus,
} from '@spillway/xdm';
import type { CliContext, CommandResult } from '../cli/context.ts';
import { UsageError } from '../cli/errors.ts';
import { withStore } from '../cli/store-connection.ts';
import { audienceEvents, ingestEventCatalog } from '../config-streams/public-catalogs.ts';
import { readLatest } from '@spillway/event-streams';
import { sampleProfiles } from './sample-profiles.ts';

const isoNow = (context: CliContext) => new Date(context.now()).toISOString();

/** `ingest attributes --json`: the partial XDM is checked with the event's schema before anything is written. */
export async function runIngestAttributes(context: CliContext, command: { readonly profileId: string; readonly attributesJson: string }): Promise<CommandResult> {
  let attributes: unknown;
  try {
    attributes = JSON.parse(command.attributesJson);
  } catch (error) {
    throw new UsageError(`--json is not valid JSON (${error instanceof Error ? error.message.split(/, "/)[0] : String(error)})`, 'ingest attributes');
  }
  const checked = validate(profileAttributesWrittenSchema, { profileId: command.profileId, attributes, writtenAt: isoNow(context) });
  if (!checked.ok) {
    const problems = checked.issues.map((issue) => `${issue.path.replace(/^attributes\.?/, '') || '(the whole value)'}: ${issue.message}`);
    throw new UsageError(`--json is not a partial XDM object: ${problems.join('; ')}`, 'ingest attributes');
  }
  return appendIngest(context, command.profileId, [ingestEvents.attributesWritten(command.profileId, checked.value.attributes, checked.value.writtenAt)]);
}

export function runIngestIdentities(
  context: CliContext,
  command: { readonly profileId: string; readonly namespace: string; readonly id: string; readonly unlink: boolean },
): Promise<CommandResult> {
  const identities = { [command.namespace]: [{ id: command.id }] };
  const event = command.unlink ? ingestEvents.identitiesUnlinked(command.profileId, identities) : ingestEvents.identitiesLinked(command.profileId, identities);
  return appendIngest(context, command.profileId, [event]);
}

export function runIngestMembership(
  context: CliContext,
  command: { readonly profileId: string; readonly audienceId: string; readonly status: MembershipStatus },
): Promise<CommandResult> {
  const event = ingestEvents.membershipChanged(command.profileId, command.audienceId, command.status, isoNow(context));
  return appendIngest(context, command.profileId, [event]);
}

function appendIngest(context: CliContext, profileId: string, events: readonly IngestEvent[]): Promise<CommandResult> {
  const stream = ingestStreamName(profileId);
  return withStore(context, async (store) => {
    await store.appendEvents(stream, ingestEventCatalog, events);
    return { text: events.map((event) => `${stream}: ${event.type} written`), json: { stream, events } };
  });
}

/** `ingest sample`: each profile's events go to its stream in one append, the realization last. */
export async function runIngestSample(context: CliContext, command: { readonly profiles: number; readonly audienceId: string }): Promise<CommandResult> {
  const profiles = sampleProfiles(command.profiles, command.audienceId, { random: context.random, newId: context.newId, nowMs: context.now() });
  return withStore(context, async (store) => {
    await warnIfUndefined(context, store, command.audienceId);
    for (const profile of profiles) await store.appendEvents(ingestStreamName(profile.profileId), ingestEventCatalog, profile.events);
    const plural = profiles.length === 1 ? '' : 's';
    return {
      text: [
        `${profiles.length} sample profile${plural} written, realized in audience ${command.audienceId}:`,
        ...profiles.map((p) => `  ${p.profileId}  ${p.firstName} ${p.lastName}  ${p.email}  ecid ${p.ecid}`),
      ],
      json: {
        audienceId: command.audienceId,
        profiles: profiles.map((p) => ({ profileId: p.profileId, stream: ingestStreamName(p.profileId), firstName: p.firstName, lastName: p.lastName, email: p.email, ecid: p.ecid })),
      },
    };
  });
}

async function warnIfUndefined(context: CliContext, store: EventStore, audienceId: string): Promise<void> {
  if (await readLatest(store, audienceStreamName(audienceId), audienceEvents)) return;
  context.note(`warning: audience '${audienceId}' is not defined yet; define it (spillway audiences define, or audiences: in a config file) so dataflows can map it`);
}
