import { AgentAnswerError, AgentUnreachableError } from '../cli/errors.ts';

export const defaultAgentUrl = 'http://127.0.0.1:8790';
const requestTimeoutMs = 5_000;

/** GETs `path` from the delivery agent's public info endpoint; a non-2xx answer is an AgentAnswerError with the agent's message. */
export async function getFromAgent(agentUrl: string, path: string): Promise<{ readonly contentType: string; readonly text: string }> {
  const url = new URL(path, agentUrl.endsWith('/') ? agentUrl : `${agentUrl}/`);
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(requestTimeoutMs), redirect: 'error' });
  } catch (error) {
    throw new AgentUnreachableError(agentUrl, reasonOf(error), error);
  }
  const text = await response.text();
  if (!response.ok) throw new AgentAnswerError(agentUrl, response.status, messageOf(text));
  return { contentType: response.headers.get('content-type') ?? '', text };
}

function reasonOf(error: unknown): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') return `no answer within ${requestTimeoutMs} ms`;
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  return error instanceof Error ? error.message : String(error);
}

function messageOf(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body.message === 'string') return body.message;
  } catch {
    // not JSON: the text itself says it
  }
  return text.trim().slice(0, 300) || '(no message)';
}
