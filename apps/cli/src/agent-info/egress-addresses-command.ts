import type { CliContext, CommandResult } from '../cli/context.ts';
import { getFromAgent } from './agent-client.ts';

/** `egress-addresses`: the local addresses the delivery agent sends exports from, for a customer's allowlist. */
export async function runEgressAddresses(_context: CliContext, command: { readonly agentUrl: string }): Promise<CommandResult> {
  const answer = await getFromAgent(command.agentUrl, 'egress-addresses');
  const { addresses } = JSON.parse(answer.text) as { addresses: string[] };
  return {
    text: addresses.length === 0 ? ["none configured: export connections leave from the host's default address"] : addresses,
    json: { addresses },
  };
}
