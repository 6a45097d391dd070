// Request limits (@fastify/rate-limit, in-process counters): every request counts against its client
// address (before the token is even looked at), and the routes that start expensive or money-moving
// work also count against a quota per signed-in user. Past a limit: 429 with Retry-After and a
// message saying which limit and when to try again. Failed logins have their own, stricter limits
// (api/auth.ts).
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_RATE_LIMITS, type RateLimits, readRateLimits } from '../core/environment';
import { HttpError } from './context';

export type { RateLimits };
export { DEFAULT_RATE_LIMITS, readRateLimits };

/** A per-user quota a route takes part in: `config: { quota: 'backtests' }`. */
export type Quota = 'backtests' | 'sessionStarts';

declare module 'fastify' {
  interface FastifyContextConfig {
    quota?: Quota;
  }
}

type Check = (req: FastifyRequest) => Promise<{ isExceeded?: boolean; ttlInSeconds?: number }>;

/** Registers the limits; call before the auth guard (so unsigned floods count too) and before any route. */
export async function installRateLimits(app: FastifyInstance, limits: RateLimits) {
  await app.register(rateLimit, { global: false });
  const perAddress = app.createRateLimit({ max: limits.perMinute, timeWindow: 60_000 }) as Check;
  const quotas: Record<Quota, { check: Check; what: string }> = {
    backtests: {
      check: userQuota(app, 'backtests', limits.backtestsPerHour),
      what: `${limits.backtestsPerHour} backtest launches per hour`,
    },
    sessionStarts: {
      check: userQuota(app, 'sessionStarts', limits.sessionStartsPerHour),
      what: `${limits.sessionStartsPerHour} session starts per hour`,
    },
  };

  app.addHook('onRequest', async (req, reply) => {
    await enforce(perAddress, req, reply, `${limits.perMinute} requests per minute from one address`);
  });
  app.addHook('onRoute', (route) => {
    const quota = (route.config as { quota?: Quota } | undefined)?.quota;
    if (!quota) return;
    const { check, what } = quotas[quota];
    // After validation and the auth guard: a request refused for its input or its role uses no quota.
    const hook = (req: FastifyRequest, reply: FastifyReply) => enforce(check, req, reply, `${what} per user`);
    route.preHandler = [
      ...(Array.isArray(route.preHandler) ? route.preHandler : route.preHandler ? [route.preHandler] : []),
      hook,
    ];
  });
}

function userQuota(app: FastifyInstance, name: Quota, perHour: number): Check {
  return app.createRateLimit({
    max: perHour,
    timeWindow: 3_600_000,
    keyGenerator: (req: FastifyRequest) => `${name}:${req.user?.id ?? req.ip}`,
  }) as Check;
}

async function enforce(check: Check, req: FastifyRequest, reply: FastifyReply, what: string) {
  const r = await check(req);
  if (!r.isExceeded) return;
  const wait = Math.max(1, r.ttlInSeconds ?? 1);
  reply.header('retry-after', String(wait));
  throw new HttpError(429, `rate limit of ${what} reached; try again in ${wait} s`);
}
