import type { DeliveryTarget, ExportRequest } from './target.ts';

/**
 * The endpoint URL with the configured query parameters appended. A query already in the
 * endpoint is kept as written (only the URL parser's normalisation applies: re-serialising it
 * through URLSearchParams would turn %20 into + and reorder nothing but still change bytes the
 * customer chose); configured parameters are percent-encoded (space as %20). No fragment is sent.
 */
export function buildExportUrl(target: Pick<DeliveryTarget, 'endpoint' | 'queryParams'>): string {
  const url = new URL(target.endpoint);
  url.hash = '';
  const added = Object.entries(target.queryParams)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join('&');
  if (added === '') return url.toString();
  const existing = url.search.replace(/^\?/, '');
  url.search = existing === '' ? added : `${existing}&${added}`;
  return url.toString();
}

export const userAgent = 'spillway-delivery-agent/0.1';

/**
 * Headers of one export: the customer's, then ours (which validation keeps the customer from
 * overriding). `authorization` comes from the destination's Authorizer (bearer token or OAuth).
 */
export function buildExportHeaders(
  request: Pick<ExportRequest, 'exportId' | 'sequence'>,
  target: Pick<DeliveryTarget, 'headers'>,
  authorization: string | undefined,
): Record<string, string> {
  const headers: Record<string, string> = { 'user-agent': userAgent };
  for (const [name, value] of Object.entries(target.headers)) headers[name.toLowerCase()] = value;
  headers['content-type'] = 'application/json';
  headers['x-export-id'] = request.exportId;
  headers['x-export-sequence'] = String(request.sequence);
  if (authorization === undefined) delete headers['authorization'];
  else headers['authorization'] = authorization;
  return headers;
}
