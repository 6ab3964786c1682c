import type { ParseArgsOptionsConfig } from 'node:util';
import { audienceOriginSchema, idSchema, identityNamespaceSchema, membershipStatusSchema } from '@spillway/xdm';
import { z } from 'zod';
import { defaultAgentUrl } from '../agent-info/agent-client.ts';
import { audiencesImportSpec } from '../audiences/import-command-spec.ts';
import { backfillStatusSpec } from '../backfill/backfill-command.ts';
import { deadLettersListSpec, deadLettersReplaySpec, deadLettersShowSpec } from '../deadletters/deadletters-command.ts';
import type { Command, CommandName } from './command.ts';

/** How one command is written on the command line, and how its arguments become a Command. */
export interface CommandSpec {
  readonly name: CommandName;
  readonly usage: string;
  readonly summary: string;
  readonly options: ParseArgsOptionsConfig;
  /** Names of the positional arguments, in order (all required). */
  readonly positionals: readonly string[];
  /** Checks the option values (keyed by option name) and positionals (keyed by their name). */
  readonly schema: z.ZodType<Command>;
}

const text = { type: 'string' } as const;
const flag = { type: 'boolean' } as const;
const sampleAudienceDefault = 'vip-customers';
const agentUrlSchema = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).default(defaultAgentUrl);

const profileCount = z.coerce
  .number({ error: 'must be a number' })
  .int({ error: 'must be a whole number' })
  .min(1, { error: 'must be at least 1' })
  .max(10_000, { error: 'must be at most 10000' });

export const commandSpecs: readonly CommandSpec[] = [
  {
    name: 'apply',
    usage: 'spillway apply <file.yaml|file.json> [--dry-run]',
    summary: 'write the destinations, dataflows and audiences of a config file (only what changed)',
    options: { 'dry-run': flag },
    positionals: ['file'],
    schema: z
      .object({ file: z.string().min(1), 'dry-run': z.boolean().default(false) })
      .transform((v) => ({ name: 'apply' as const, file: v.file, dryRun: v['dry-run'] })),
  },
  {
    name: 'audiences define',
    usage: 'spillway audiences define --id <id> --name <name> --merge-policy <id> [--origin segmentation|custom-upload]',
    summary: 'define or change an audience',
    options: { id: text, name: text, 'merge-policy': text, origin: text },
    positionals: [],
    schema: z
      .object({ id: idSchema, name: z.string().max(1024), 'merge-policy': idSchema, origin: audienceOriginSchema.default('segmentation') })
      .transform((v) => ({
        name: 'audiences define' as const,
        audienceId: v.id,
        audienceName: v.name,
        mergePolicyId: v['merge-policy'],
        origin: v.origin,
      })),
  },
  audiencesImportSpec,
  {
    name: 'ingest attributes',
    usage: "spillway ingest attributes --profile <id> --json '<partial XDM>'",
    summary: 'write attributes of a profile (a null leaf removes the attribute)',
    options: { profile: text, json: text },
    positionals: [],
    schema: z
      .object({ profile: idSchema, json: z.string() })
      .transform((v) => ({ name: 'ingest attributes' as const, profileId: v.profile, attributesJson: v.json })),
  },
  {
    name: 'ingest identities',
    usage: 'spillway ingest identities --profile <id> --namespace <namespace> --id <id> [--unlink]',
    summary: 'link (or with --unlink, unlink) an identity to a profile',
    options: { profile: text, namespace: text, id: text, unlink: flag },
    positionals: [],
    schema: z
      .object({ profile: idSchema, namespace: identityNamespaceSchema, id: z.string().min(1).max(1024), unlink: z.boolean().default(false) })
      .transform((v) => ({ name: 'ingest identities' as const, profileId: v.profile, namespace: v.namespace, id: v.id, unlink: v.unlink })),
  },
  {
    name: 'ingest membership',
    usage: 'spillway ingest membership --profile <id> --audience <id> --status realized|exited',
    summary: "change a profile's status in an audience",
    options: { profile: text, audience: text, status: text },
    positionals: [],
    schema: z
      .object({ profile: idSchema, audience: idSchema, status: membershipStatusSchema })
      .transform((v) => ({ name: 'ingest membership' as const, profileId: v.profile, audienceId: v.audience, status: v.status })),
  },
  {
    name: 'ingest sample',
    usage: `spillway ingest sample [--profiles N] [--audience <id>]`,
    summary: `write sample profiles (name, email, ecid) realized in an audience (default ${sampleAudienceDefault})`,
    options: { profiles: text, audience: text },
    positionals: [],
    schema: z
      .object({ profiles: profileCount.default(1), audience: idSchema.default(sampleAudienceDefault) })
      .transform((v) => ({ name: 'ingest sample' as const, profiles: v.profiles, audienceId: v.audience })),
  },
  {
    name: 'dataflows list',
    usage: 'spillway dataflows list',
    summary: 'list the configured dataflows',
    options: {},
    positionals: [],
    schema: z.object({}).transform(() => ({ name: 'dataflows list' as const })),
  },
  {
    name: 'dataflows show',
    usage: 'spillway dataflows show <id>',
    summary: "show a dataflow's configuration, its destination and its counts",
    options: {},
    positionals: ['id'],
    schema: z.object({ id: idSchema }).transform((v) => ({ name: 'dataflows show' as const, dataflowId: v.id })),
  },
  backfillStatusSpec,
  deadLettersListSpec,
  deadLettersShowSpec,
  deadLettersReplaySpec,
  {
    name: 'destinations list',
    usage: 'spillway destinations list',
    summary: 'list the configured destinations',
    options: {},
    positionals: [],
    schema: z.object({}).transform(() => ({ name: 'destinations list' as const })),
  },
  {
    name: 'destinations show',
    usage: 'spillway destinations show <id>',
    summary: "show a destination's configuration (secrets as their references)",
    options: {},
    positionals: ['id'],
    schema: z.object({ id: idSchema }).transform((v) => ({ name: 'destinations show' as const, destinationId: v.id })),
  },
  {
    name: 'certificate',
    usage: `spillway certificate [--agent-url <url>] [--cert-file <path>] [--pem]`,
    summary: `the client certificate the delivery agent presents to mTLS endpoints (from its endpoint, default ${defaultAgentUrl}, or a file)`,
    options: { 'agent-url': text, 'cert-file': text, pem: flag },
    positionals: [],
    schema: z
      .object({ 'agent-url': agentUrlSchema, 'cert-file': z.string().min(1).optional(), pem: z.boolean().default(false) })
      .transform((v) => ({ name: 'certificate' as const, agentUrl: v['agent-url'], certFile: v['cert-file'], pemOnly: v.pem })),
  },
  {
    name: 'egress-addresses',
    usage: 'spillway egress-addresses [--agent-url <url>]',
    summary: 'the local addresses the delivery agent sends exports from, to allowlist',
    options: { 'agent-url': text },
    positionals: [],
    schema: z.object({ 'agent-url': agentUrlSchema }).transform((v) => ({ name: 'egress-addresses' as const, agentUrl: v['agent-url'] })),
  },
];

/** Options every command takes. `--json` is short for `--output json` (except where a command owns `--json`). */
export const globalOptions: ParseArgsOptionsConfig = {
  connection: text,
  output: text,
  json: flag,
  verbose: flag,
  help: { type: 'boolean', short: 'h' },
};

export const globalUsage = [
  'Global options:',
  '  --connection <esdb://...>  the event store (default: EVENTSTORE_CONNECTION_STRING, else esdb://127.0.0.1:2113?tls=false)',
  '  --json, --output json      machine-readable output',
  '  --verbose                  debug logs, and stack traces on errors',
  '  --help, -h                 this help',
].join('\n');

export function generalUsage(): string {
  const width = Math.max(...commandSpecs.map((spec) => spec.name.length));
  const lines = commandSpecs.map((spec) => `  ${spec.name.padEnd(width)}  ${spec.summary}`);
  return ['Usage: spillway <command> [options]', '', 'Commands:', ...lines, '', globalUsage, '', "Run 'spillway <command> --help' for a command's options."].join('\n');
}

export function commandUsage(spec: CommandSpec): string {
  return [`Usage: ${spec.usage}`, '', `  ${spec.summary}`, '', globalUsage].join('\n');
}
