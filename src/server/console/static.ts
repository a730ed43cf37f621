// Serves the built console under /console with a strict CSP (no inline script, no eval), like the kiosk host.
import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import type { FastifyContextConfig, FastifyInstance, FastifyReply } from 'fastify';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function consoleSecurityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('permissions-policy', 'camera=(), microphone=(), geolocation=(), usb=(), payment=()')
    .header('cross-origin-opener-policy', 'same-origin')
    .header('cross-origin-resource-policy', 'same-origin')
    .header('x-frame-options', 'DENY')
    .header('cache-control', 'no-store');
}

export function registerConsoleStatic(app: FastifyInstance, dir: string): void {
  const root = resolve(dir);
  const send = async (reply: FastifyReply, relative: string) => {
    const path = resolve(root, relative);
    // Nothing outside the build folder, whatever the URL says.
    if (path !== root && !path.startsWith(root + sep))
      return reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'No such file.' } });
    let body: Buffer;
    try {
      body = await readFile(path);
    } catch {
      if (relative === 'index.html') {
        return reply.code(503).send({
          error: { code: 'CONSOLE_NOT_BUILT', message: 'The console is not built yet: start the server once with --build-console.' },
        });
      }
      return reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'No such file.' } });
    }
    return consoleSecurityHeaders(reply)
      .type(CONTENT_TYPES[extname(path)] ?? 'application/octet-stream')
      .send(body);
  };
  const config = { auth: 'public' } as FastifyContextConfig;
  app.get('/console', { config }, async (_request, reply) => reply.redirect('/console/', 302));
  app.get('/console/', { config }, async (_request, reply) => send(reply, 'index.html'));
  app.get<{ Params: { '*': string } }>('/console/assets/*', { config }, async (request, reply) =>
    send(reply, `assets/${request.params['*']}`),
  );
  app.get('/console/favicon.svg', { config }, async (_request, reply) => send(reply, 'favicon.svg'));
}
