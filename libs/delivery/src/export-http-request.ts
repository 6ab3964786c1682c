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

/** Ours that differ from one export to the next; a custom header of these names never goes out. */
const perExportHeaderNames = ['x-export-id', 'x-export-sequence', 'authorization'] as const;

/**
 * Headers every export of the destination carries: the customer's, then ours (which validation
 * keeps the customer from overriding), except the per-export ones (perExportHeaders).
 */
export function fixedExportHeaders(target: Pick<DeliveryTarget, 'headers'>): Record<string, string> {
  const headers: Record<string, string> = { 'user-agent': userAgent };
  for (const [name, value] of Object.entries(target.headers)) headers[name.toLowerCase()] = value;
  headers['content-type'] = 'application/json';
  for (const name of perExportHeaderNames) delete headers[name];
  return headers;
}

/** The headers of one export on top of the fixed ones; `authorization` undefined: none is sent. */
export function perExportHeaders(
  request: Pick<ExportRequest, 'exportId' | 'sequence'>,
  authorization: string | undefined,
): Record<(typeof perExportHeaderNames)[number], string | undefined> {
  return { 'x-export-id': request.exportId, 'x-export-sequence': String(request.sequence), authorization };
}

/**
 * Headers of one export: the customer's, then ours. `authorization` comes from the destination's
 * Authorizer (bearer token or OAuth).
 */
export function buildExportHeaders(
  request: Pick<ExportRequest, 'exportId' | 'sequence'>,
  target: Pick<DeliveryTarget, 'headers'>,
  authorization: string | undefined,
): Record<string, string> {
  const headers = fixedExportHeaders(target);
  for (const [name, value] of Object.entries(perExportHeaders(request, authorization))) if (value !== undefined) headers[name] = value;
  return headers;
}
