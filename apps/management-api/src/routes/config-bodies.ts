import { headerListFormat, parseHeaderList, parseQueryString, queryStringFormat, type ParsedPairs } from '@spillway/config-formats';
import { dataflowConfiguredSchema, destinationConfiguredSchema, idSchema, isPlainObject, type DataflowConfig, type DestinationConfig } from '@spillway/xdm';
import { z } from 'zod';
import { fieldIssues, invalidRequest, type FieldIssue } from '../http/api-errors.ts';

/**
 * Request bodies are the event data of streams.md without the id (it comes from the path),
 * validated by the @spillway/xdm schema itself: the API accepts exactly what the services accept.
 * Conveniences on top, turned into the event form before validation: headers and query
 * parameters as the user-facing text (`h1:v1,h2:v2`, `a=1&b=2`), audiences as plain ids.
 */
export function parsePathId(id: string): string {
  const parsed = idSchema.safeParse(id);
  if (!parsed.success) throw invalidRequest(fieldIssues(parsed.error, 'id'));
  return parsed.data;
}

export function destinationFromBody(id: string, body: unknown): DestinationConfig {
  const object = bodyObject(body, 'destinationId', id);
  const issues: FieldIssue[] = [];
  pairsText(object, 'headers', parseHeaderList, issues);
  pairsText(object, 'queryParams', parseQueryString, issues);
  if (issues.length > 0) throw invalidRequest(issues);
  const parsed = destinationConfiguredSchema.safeParse({ ...object, destinationId: id });
  if (!parsed.success) throw invalidRequest(fieldIssues(parsed.error));
  return parsed.data;
}

export function dataflowFromBody(id: string, body: unknown): DataflowConfig {
  const object = bodyObject(body, 'dataflowId', id);
  if (Array.isArray(object['audiences'])) {
    object['audiences'] = object['audiences'].map((item: unknown) => (typeof item === 'string' ? { audienceId: item } : item));
  }
  const parsed = dataflowConfiguredSchema.safeParse({ ...object, dataflowId: id });
  if (!parsed.success) throw invalidRequest(fieldIssues(parsed.error));
  return parsed.data;
}

function bodyObject(body: unknown, idField: string, id: string): Record<string, unknown> {
  if (!isPlainObject(body)) throw invalidRequest([{ field: '(body)', reason: 'must be a JSON object' }]);
  const object: Record<string, unknown> = { ...body };
  if (idField in object && object[idField] !== id) throw invalidRequest([{ field: idField, reason: `must be left out or equal the id in the path ('${id}')` }]);
  return object;
}

function pairsText(object: Record<string, unknown>, field: string, parse: (text: string) => ParsedPairs, issues: FieldIssue[]): void {
  const value = object[field];
  if (typeof value !== 'string') return;
  const parsed = parse(value);
  if (parsed.ok) object[field] = parsed.value;
  else issues.push({ field, reason: parsed.problem });
}

/** The JSON Schema of a request body: the event schema's input form without the id property. */
function bodyJsonSchema(schema: z.ZodType, idField: string, textForms: Readonly<Record<string, string>> = {}): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete json['$schema'];
  const properties = { ...(json['properties'] as Record<string, unknown>) };
  delete properties[idField];
  for (const [field, format] of Object.entries(textForms)) {
    properties[field] = {
      description: `a map of name -> value, or the text form ${format}`,
      anyOf: [{ type: 'string' }, { type: 'object', additionalProperties: { type: 'string' } }],
    };
  }
  const required = (json['required'] as string[] | undefined)?.filter((name) => name !== idField);
  return { ...json, properties, ...(required ? { required } : {}) };
}

export const destinationBodyJsonSchema = bodyJsonSchema(destinationConfiguredSchema, 'destinationId', { headers: headerListFormat, queryParams: queryStringFormat });
export const dataflowBodyJsonSchema = bodyJsonSchema(dataflowConfiguredSchema, 'dataflowId');
