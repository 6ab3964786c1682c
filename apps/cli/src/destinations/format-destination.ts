import { defaultCircuit, type Auth, type DestinationConfig } from '@spillway/xdm';
import { formatHeaderList, formatQueryString } from '@spillway/config-formats';

/** One line about auth; secrets appear as the references the configuration carries, never resolved. */
export function describeAuth(auth: Auth): string {
  switch (auth.type) {
    case 'none':
      return 'none';
    case 'bearer':
      return `bearer (token ${auth.token})`;
    case 'oauth2-client-credentials':
      return `oauth2-client-credentials (${auth.credentialsType}, token URL ${auth.tokenUrl}, client id ${auth.clientId}, client secret ${auth.clientSecret}${tokenOptions(auth)})`;
    case 'oauth2-password':
      return `oauth2-password (${auth.credentialsType ?? 'body-form'}, token URL ${auth.tokenUrl}, client id ${auth.clientId}, client secret ${auth.clientSecret}, username ${auth.username}, password ${auth.password}${tokenOptions(auth)})`;
    default: {
      const unknown: never = auth;
      return `unknown (${JSON.stringify(unknown)})`;
    }
  }
}

function tokenOptions(auth: Extract<Auth, { type: 'oauth2-client-credentials' | 'oauth2-password' }>): string {
  const extra = Object.entries(auth.extraTokenParams ?? {}).map(([name, value]) => `${name}=${value}`);
  return [
    ...(auth.scope === undefined ? [] : [`, scope ${auth.scope}`]),
    ...(auth.audience === undefined ? [] : [`, audience ${auth.audience}`]),
    ...(extra.length === 0 ? [] : [`, extra token parameters ${extra.join('&')}`]),
  ].join('');
}

const onOff = (value: boolean | undefined) => (value ? 'on' : 'off');

/** `destinations show`: headers and query parameters in their user-facing forms. */
export function destinationLines(destination: DestinationConfig): string[] {
  return [
    `destination ${destination.destinationId}`,
    `  name:               ${destination.name}`,
    ...(destination.description ? [`  description:        ${destination.description}`] : []),
    `  endpoint:           ${destination.endpoint}`,
    `  query parameters:   ${formatQueryString(destination.queryParams ?? {}) || '(none)'}`,
    `  headers:            ${formatHeaderList(destination.headers ?? {}) || '(none)'}`,
    `  auth:               ${describeAuth(destination.auth)}`,
    `  mTLS:               ${onOff(destination.mtls?.enabled)}`,
    `  segment names:      ${onOff(destination.includeSegmentNames)}`,
    `  segment timestamps: ${onOff(destination.includeSegmentTimestamps)}`,
    `  timeout:            ${destination.timeoutMs === undefined ? 'default (2000 ms)' : `${destination.timeoutMs} ms`}`,
    `  retry:              ${describeRetry(destination.retry)}`,
    `  circuit breaker:    ${describeCircuit(destination.circuit)}`,
    `  rate limit:         ${destination.rateLimit === undefined ? 'none' : `${destination.rateLimit.requestsPerSecond} requests/s`}`,
    `  max in flight:      ${destination.maxInFlight ?? "the agent's (SPILLWAY_DELIVERY_MAX_IN_FLIGHT_PER_DESTINATION, default 64)"}`,
  ];
}

/** Rows of a fixed-width table; the last column is not padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

function describeRetry(retry: DestinationConfig['retry']): string {
  const { attempts, baseDelayMs, maxDelayMs, maxRetryAfterMs } = retry ?? {};
  return [
    `${attempts ?? 'default (3)'} attempts`,
    `backoff from ${baseDelayMs ?? 'default (200)'} ms up to ${maxDelayMs ?? 'default (5000)'} ms`,
    `Retry-After up to ${maxRetryAfterMs ?? 'default (30000)'} ms`,
  ].join(', ');
}

function describeCircuit(circuit: DestinationConfig['circuit']): string {
  const { enabled, openAfterSeconds, probeEverySeconds } = circuit ?? {};
  if (enabled === false) return 'off';
  return [
    `opens after ${openAfterSeconds ?? `default (${defaultCircuit.openAfterSeconds})`} s of failures only`,
    `probes every ${probeEverySeconds ?? `default (${defaultCircuit.probeEverySeconds})`} s while open`,
  ].join(', ');
}
