import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Route } from '../routes/route.ts';

const read = (name: string) => readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');
const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * One self-contained page: the script and the style are inlined, and the Content-Security-Policy
 * allows exactly those two (by hash) and requests to this API, nothing else.
 */
function buildPage() {
  const script = read('status-page.js');
  const style = read('status-page.css');
  const html = read('status-page.html').replace('/*STYLE*/', () => style).replace('/*SCRIPT*/', () => script);
  const policy = [`default-src 'none'`, `script-src ${sha256(script)}`, `style-src ${sha256(style)}`, `connect-src 'self'`, `img-src 'self' data:`, `base-uri 'none'`, `form-action 'none'`, `frame-ancestors 'none'`].join('; ');
  return { html, headers: { 'content-security-policy': policy, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'cache-control': 'no-store' } };
}

// Built on the first request, then kept: the files do not change while the process runs.
let page: ReturnType<typeof buildPage> | undefined;

export const statusPageRoute: Route = {
  method: 'GET',
  path: '/status',
  permission: 'public',
  summary: 'The status page (HTML): it asks for an API key and reads everything else from this API with it.',
  produces: 'text/html',
  handle: async () => {
    page ??= buildPage();
    return { status: 200, body: page.html, contentType: 'text/html; charset=utf-8', headers: page.headers };
  },
};
