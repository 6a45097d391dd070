// Browser-facing defences: security headers on every answer (@fastify/helmet), and Origin and Host
// checks on /api. A browser page of another site may not call the API (its Origin differs from the
// Host it calls); with API_HOSTS set, a request naming another Host (DNS rebinding, a mis-routed
// proxy) is refused too.
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import { HttpError } from './context';

/**
 * The dashboard (a Vite build) and Swagger UI (/api/docs) load only their own scripts, styles and
 * data; ECharts and Swagger UI set inline styles. No `upgrade-insecure-requests`: the server is also
 * reached over plain HTTP on loopback.
 */
export const CSP_DIRECTIVES = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'self'"],
  'object-src': ["'none'"],
  'form-action': ["'self'"],
};

/** Registers the headers and the checks; call before any route is registered. */
export async function installHttpGuard(app: FastifyInstance, allowedHosts: string[] = []) {
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // Over TLS (the Caddy front), browsers keep to HTTPS; other hosts of the domain are not ours to pin.
    strictTransportSecurity: { maxAge: 180 * 24 * 3600, includeSubDomains: false },
  });
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
    if (req.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
  });
}
