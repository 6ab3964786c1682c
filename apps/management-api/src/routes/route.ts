import type { EventStore } from '@spillway/event-streams';
import type { Logger } from '@spillway/runtime';
import type { z } from 'zod';
import type { Permission } from '../access/permissions.ts';

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';

export interface RouteContext {
  readonly store: EventStore;
  readonly logger: Logger;
  readonly now: () => Date;
  /** Path parameters by name (`{id}` -> `params.id`), already decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Reads and parses the JSON body: called only after the permission check. */
  readonly body: () => Promise<unknown>;
}

export interface RouteAnswer {
  readonly status: number;
  /** Sent as JSON, or as is when `contentType` is given (then it is text). */
  readonly body: unknown;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * One API route. `permission` is required: a route is either guarded by one permission or
 * declared `public` (only /health, /openapi.json and the status page's HTML are; a test holds that list).
 */
export interface Route {
  readonly method: HttpMethod;
  readonly path: string;
  readonly permission: Permission | 'public';
  readonly summary: string;
  /** For the OpenAPI document: the JSON body it takes, and the query parameters. */
  readonly requestBody?: Record<string, unknown>;
  readonly query?: z.ZodObject;
  /** The media type of a successful answer. @defaultValue 'application/json' */
  readonly produces?: string;
  readonly handle: (context: RouteContext) => Promise<RouteAnswer>;
}

export interface RouteMatch {
  readonly route: Route;
  readonly params: Record<string, string>;
}

/** The route for a method and path; `allowed` lists the methods of a path that exists with another method. */
export function matchRoute(routes: readonly Route[], method: string, pathname: string): RouteMatch | { readonly allowed: HttpMethod[] } | undefined {
  const segments = pathname.split('/').slice(1);
  const allowed: HttpMethod[] = [];
  for (const route of routes) {
    const params = matchPath(route.path, segments);
    if (!params) continue;
    if (route.method === method) return { route, params };
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { allowed } : undefined;
}

function matchPath(template: string, segments: readonly string[]): Record<string, string> | undefined {
  const parts = template.split('/').slice(1);
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of parts.entries()) {
    const segment = segments[index]!;
    if (part.startsWith('{') && part.endsWith('}')) {
      let value: string;
      try {
        value = decodeURIComponent(segment);
      } catch {
        return undefined;
      }
      if (value === '') return undefined;
      params[part.slice(1, -1)] = value;
    } else if (part !== segment) {
      return undefined;
    }
  }
  return params;
}
