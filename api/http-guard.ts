// Browser-facing defences without extra dependencies: security headers on every answer, and Origin
// and Host checks on /api. A browser page of another site may not call the API (its Origin differs
// from the Host it calls); with API_HOSTS set, a request naming another Host (DNS rebinding, a
// mis-routed proxy) is refused too.
import type { FastifyInstance } from 'fastify';
import { HttpError } from './context';

const HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};
// The dashboard loads only its own files; ECharts sets inline styles.
const CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'self'; object-src 'none'; form-action 'self'";

export function installHttpGuard(app: FastifyInstance, allowedHosts: string[] = []) {
  app.addHook('onRequest', async (req) => {
    if (!req.url.startsWith('/api/')) return;
    const host = (req.headers.host ?? '').toLowerCase();
    if (allowedHosts.length && !allowedHosts.includes(host))
      throw new HttpError(403, `host ${host} is not served here`);
    const origin = req.headers.origin;
    if (origin !== undefined) {
      let originHost = '';
      try {
        originHost = new URL(origin).host.toLowerCase();
      } catch {}
      if (originHost !== host) throw new HttpError(403, `cross-origin request from ${origin} refused`);
    }
  });
  app.addHook('onSend', async (req, reply) => {
    for (const [k, v] of Object.entries(HEADERS)) reply.header(k, v);
    // The API docs page runs Swagger UI's own scripts; everything else gets the strict policy.
    if (!req.url.startsWith('/api/docs')) reply.header('content-security-policy', CSP);
    if (req.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
  });
}
