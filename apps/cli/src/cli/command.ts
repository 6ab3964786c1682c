import type { AudienceOrigin, MembershipStatus } from '@spillway/xdm';
import type { ImportAudience } from '../audiences/import-command.ts';
import type { BackfillStatusRequest } from '../backfill/backfill-command.ts';
import type { DeadLetterFilters } from '@spillway/dataflow-status';
import type { ReplayRequest } from '../deadletters/deadletters-command.ts';

/** Everything the command line can ask for, once parsed and checked. */
export type Command =
  | { readonly name: 'help'; readonly topic: string | undefined }
  | { readonly name: 'apply'; readonly file: string; readonly dryRun: boolean }
  | {
      readonly name: 'audiences define';
      readonly audienceId: string;
      readonly audienceName: string;
      readonly mergePolicyId: string;
      readonly origin: AudienceOrigin;
    }
  | ({ readonly name: 'audiences import' } & ImportAudience)
  | { readonly name: 'ingest attributes'; readonly profileId: string; readonly attributesJson: string }
  | { readonly name: 'ingest identities'; readonly profileId: string; readonly namespace: string; readonly id: string; readonly unlink: boolean }
  | { readonly name: 'ingest membership'; readonly profileId: string; readonly audienceId: string; readonly status: MembershipStatus }
  | { readonly name: 'ingest sample'; readonly profiles: number; readonly audienceId: string }
  | { readonly name: 'dataflows list' }
  | { readonly name: 'dataflows show'; readonly dataflowId: string }
  | ({ readonly name: 'backfill status' } & BackfillStatusRequest)
  | { readonly name: 'deadletters list'; readonly filters: DeadLetterFilters }
  | { readonly name: 'deadletters show'; readonly exportId: string }
  | ({ readonly name: 'deadletters replay' } & ReplayRequest)
  | { readonly name: 'destinations list' }
  | { readonly name: 'destinations show'; readonly destinationId: string }
  | { readonly name: 'certificate'; readonly agentUrl: string; readonly certFile: string | undefined; readonly pemOnly: boolean }
  | { readonly name: 'egress-addresses'; readonly agentUrl: string };

export type CommandName = Command['name'];

export type OutputFormat = 'text' | 'json';

export interface GlobalOptions {
  /** `--connection`; main falls back to EVENTSTORE_CONNECTION_STRING, then the default. */
  readonly connection: string | undefined;
  readonly output: OutputFormat;
  readonly verbose: boolean;
}

export interface Invocation {
  readonly command: Command;
  readonly globals: GlobalOptions;
}
