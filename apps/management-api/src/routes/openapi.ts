import { z } from 'zod';
import { describePermission } from '../access/permissions.ts';
import type { Route } from './route.ts';

const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        type: { type: 'string' },
        message: { type: 'string' },
        issues: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, reason: { type: 'string' } }, required: ['field', 'reason'] } },
      },
      required: ['type', 'message'],
    },
  },
  required: ['error'],
};

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

/** OpenAPI 3.1 from the route table: bodies and queries are the zod schemas' JSON Schema (2020-12). */
export function buildOpenApi(routes: readonly Route[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const guarded = route.permission !== 'public';
    const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => ({ name: match[1], in: 'path', required: true, schema: { type: 'string' } }));
    const operation: Record<string, unknown> = {
      summary: route.summary,
      ...(guarded ? { description: `Requires the permission ${describePermission(route.permission)}.`, 'x-permission': route.permission } : { security: [] }),
      parameters: [...pathParams, ...queryParameters(route.query)],
      ...(route.requestBody ? { requestBody: { required: true, content: { 'application/json': { schema: route.requestBody } } } } : {}),
      responses: {
        200: { description: 'OK', content: { [route.produces ?? 'application/json']: {} } },
        ...(route.method === 'PUT' ? { 201: { description: 'Created', content: { 'application/json': {} } } } : {}),
        ...(guarded
          ? {
              400: errorResponse('Invalid input: `issues` names each field and why'),
              401: errorResponse('No API key, or an unknown one'),
              403: errorResponse('The key lacks the permission; nothing was changed'),
              404: errorResponse('Not found'),
            }
          : {}),
      },
    };
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Spillway management API', version: '0.1.0' },
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key from `spillway-api api-keys create`' } },
      schemas: { Error: errorSchema },
    },
    security: [{ apiKey: [] }],
    paths,
  };
}

function queryParameters(query: z.ZodObject | undefined): unknown[] {
  if (!query) return [];
  const json = z.toJSONSchema(query, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, schema]) => ({ name, in: 'query', required: json.required?.includes(name) ?? false, schema }));
}
