// Fastify API: JSON-schema-validated routes, OpenAPI docs at /api/docs, the built dashboard at /.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { KeyVault } from '../security/vault';
import { authRoutes, installAuthGuard, Tokens } from './auth';
import { type ApiContext, HttpError } from './context';
import { installHttpGuard } from './http-guard';
import { installInputGuard } from './input-guard';
import { DEFAULT_RATE_LIMITS, installRateLimits, type RateLimits } from './rate-limits';
import { alertRoutes } from './routes/alerts';
import { backtestRoutes } from './routes/backtests';
import { healthRoutes } from './routes/health';
import { keyRoutes } from './routes/keys';
import { liveRoutes } from './routes/live';
import { marketRoutes } from './routes/market';
import { overviewRoutes } from './routes/overview';
import { positionRoutes } from './routes/positions';
import { sessionSetupRoutes } from './routes/session-setup';
import { sessionRoutes } from './routes/sessions';
import { settingsRoutes } from './routes/settings';
import { tradingRoutes } from './routes/trading';
import { validatorCompiler } from './validation';

export interface ApiOptions {
  logger?: FastifyServerOptions['logger'];
  /** Directory of the built dashboard; served at / when it exists. */
  webDist?: string;
  /** Host headers the API answers (API_HOSTS); any when empty. */
  allowedHosts?: string[];
  /** Behind a reverse proxy: trust its X-Forwarded-* headers (Fastify's trustProxy). */
  trustProxy?: boolean | string;
  /** Requests per address and per-user quotas (api/rate-limits.ts); the defaults when absent. */
  rateLimits?: RateLimits;
}

export async function buildApi(ctx: ApiContext, opts: ApiOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: 1_000_000,
    trustProxy: opts.trustProxy ?? false,
  });
  app.setValidatorCompiler(validatorCompiler());

  // Every error leaves as {error, message}; validation messages name the field.
  app.setErrorHandler((err, req, reply) => {
    const e = err as Error & { statusCode?: number; validation?: unknown; code?: string };
    if (e instanceof HttpError) {
      if (e.statusCode === 401) reply.header('www-authenticate', 'Bearer');
      return reply.status(e.statusCode).send({ error: httpName(e.statusCode), message: e.message });
    }
    if (e.validation) return reply.status(400).send({ error: 'Bad Request', message: e.message });
    const status = e.statusCode && e.statusCode >= 400 && e.statusCode < 500 ? e.statusCode : 500;
    if (status < 500) return reply.status(status).send({ error: httpName(status), message: e.message });
    // The detail goes to the log only; the client gets the request id to find it there.
    req.log.error({ err: e, reqId: req.id }, 'request failed');
    return reply
      .status(500)
      .send({ error: httpName(500), message: `internal error (request id ${req.id})`, requestId: req.id });
  });
  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api/') || req.method !== 'GET' || !opts.webDist || !existsSync(opts.webDist)) {
      return reply.status(404).send({ error: 'Not Found', message: `no route ${req.method} ${req.url.split('?')[0]}` });
    }
    return reply.sendFile('index.html');
  });

  const tokens = new Tokens(ctx.masterKey, ctx.db);
  await installHttpGuard(app, opts.allowedHosts);
  await installRateLimits(app, opts.rateLimits ?? DEFAULT_RATE_LIMITS);
  installAuthGuard(app, tokens);
  installInputGuard(app);
  await app.register(swagger, {
    openapi: {
      info: { title: 'upbit-trader API', version: '0.1.0', description: 'Sessions, orders, positions, backtests' },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
  });
  // Swagger UI runs under the dashboard's policy (its scripts are its own files); no validator badge.
  await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { validatorUrl: null } });

  await app.register(authRoutes(ctx, tokens));
  await app.register(healthRoutes(ctx, tokens));
  await app.register(sessionRoutes(ctx));
  await app.register(sessionSetupRoutes(ctx));
  await app.register(tradingRoutes(ctx));
  await app.register(overviewRoutes(ctx));
  await app.register(positionRoutes(ctx));
  await app.register(settingsRoutes(ctx));
  await app.register(marketRoutes(ctx));
  await app.register(alertRoutes(ctx));
  await app.register(backtestRoutes(ctx));
  await app.register(keyRoutes(new KeyVault(ctx.db, ctx.masterKey)));
  await app.register(liveRoutes(ctx));

  if (opts.webDist && existsSync(join(opts.webDist, 'index.html'))) {
    await app.register(fastifyStatic, { root: opts.webDist, prefix: '/', wildcard: false });
  }
  return app;
}

function httpName(status: number): string {
  return (
    {
      400: 'Bad Request',
      401: 'Unauthorized',
      403: 'Forbidden',
      404: 'Not Found',
      409: 'Conflict',
      413: 'Payload Too Large',
      415: 'Unsupported Media Type',
      422: 'Unprocessable Entity',
      429: 'Too Many Requests',
      503: 'Service Unavailable',
    }[status] ?? (status >= 500 ? 'Internal Server Error' : 'Error')
  );
}
