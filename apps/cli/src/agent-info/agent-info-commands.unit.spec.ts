import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../cli/parse-command-line.ts';

describe('certificate and egress-addresses command lines', () => {
  it('default to the agent on 127.0.0.1:8790', () => {
    expect(parseCommandLine(['certificate']).command).toEqual({ name: 'certificate', agentUrl: 'http://127.0.0.1:8790', certFile: undefined, pemOnly: false });
    expect(parseCommandLine(['egress-addresses']).command).toEqual({ name: 'egress-addresses', agentUrl: 'http://127.0.0.1:8790' });
  });

  it('take --agent-url, --cert-file and --pem', () => {
    expect(parseCommandLine(['certificate', '--agent-url', 'http://agent.internal:9000', '--cert-file', 'client.crt', '--pem']).command).toEqual({
      name: 'certificate',
      agentUrl: 'http://agent.internal:9000',
      certFile: 'client.crt',
      pemOnly: true,
    });
  });

  it('refuse an agent URL that is not http(s)', () => {
    expect(() => parseCommandLine(['egress-addresses', '--agent-url', 'agent:8790'])).toThrow('--agent-url must be an http:// or https:// URL');
  });
});
