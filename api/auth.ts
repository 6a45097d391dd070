// Who is calling: bearer tokens (short-lived access JWTs, longer refresh JWTs, both signed with a key
// derived from the master key), the guard every /api route passes, and the login/refresh/user routes.
// A route's required role comes from `config.access`; without it a read (GET) needs any signed-in
// user and everything else needs an admin, so a new route that changes state is admin-only by default.
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import jwt from 'jsonwebtoken';
import type { Database, UserRole } from '../prisma/db';
import { findUserById, findUserByName, recentAudit } from '../prisma/repositories/users';
import { deriveKey } from '../security/master-key';
import { verifyPassword } from '../security/passwords';
import { addUser, listUsers, setPassword, setRole, USER_ROLES, USERNAME_PATTERN, UserError } from '../security/users';
import { type ApiContext, HttpError } from './context';

/** public: no token; viewer: any signed-in user; admin: the admin role. */
export type Access = 'public' | 'viewer' | 'admin';

export interface AuthUser {
  id: string;
  username: string;
  role: UserRole;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    user?: AuthUser;
  }
}

export const ACCESS_TOKEN_TTL_SEC = 15 * 60;
export const REFRESH_TOKEN_TTL_SEC = 12 * 60 * 60;
type TokenKind = 'access' | 'refresh';

export class Tokens {
  private readonly secret: Buffer;
  constructor(
    masterKey: Buffer,
    private readonly db: Database,
  ) {
    this.secret = deriveKey(masterKey, 'token-signing');
  }

  issue(user: AuthUser) {
    const sign = (typ: TokenKind, ttl: number) =>
      jwt.sign({ typ }, this.secret, { algorithm: 'HS256', subject: user.id, expiresIn: ttl });
    return {
      token: sign('access', ACCESS_TOKEN_TTL_SEC),
      refreshToken: sign('refresh', REFRESH_TOKEN_TTL_SEC),
      expiresIn: ACCESS_TOKEN_TTL_SEC,
      username: user.username,
      role: user.role,
    };
  }

  /** The user a token of this kind stands for, as the database has them now; 401 otherwise. */
  async verify(token: string, kind: TokenKind): Promise<AuthUser> {
    let claims: jwt.JwtPayload;
    try {
      claims = jwt.verify(token, this.secret, { algorithms: ['HS256'] }) as jwt.JwtPayload;
    } catch (err) {
      throw new HttpError(401, err instanceof jwt.TokenExpiredError ? 'token expired' : 'invalid token');
    }
    if (claims.typ !== kind || typeof claims.sub !== 'string' || typeof claims.iat !== 'number')
      throw new HttpError(401, 'invalid token');
    const user = await findUserById(this.db.prisma, claims.sub);
    // A password or role change ends every token issued before it.
    if (!user || claims.iat < Math.floor(user.tokensValidAfter.getTime() / 1000))
      throw new HttpError(401, 'token no longer valid; sign in again');
    return { id: user.id, username: user.username, role: user.role };
  }

  async fromRequest(req: FastifyRequest): Promise<AuthUser> {
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._-]{1,4096})$/.exec(header) : null;
    if (!match) throw new HttpError(401, 'sign in: Authorization: Bearer <token> from POST /api/auth/login');
    return this.verify(match[1], 'access');
  }
}

/** Counts failed logins per key in fixed windows; past `max` the key waits for its window to end. */
export class FailureLimiter {
  private readonly windows = new Map<string, { failures: number; resetAt: number }>();
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  /** Seconds until `key` may try again, 0 when it may now. */
  retryAfterSec(key: string, now = Date.now()): number {
    const w = this.windows.get(key);
    if (!w || w.resetAt <= now) return 0;
    return w.failures >= this.max ? Math.ceil((w.resetAt - now) / 1000) : 0;
  }

  fail(key: string, now = Date.now()) {
    if (this.windows.size > 10_000) for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
    const w = this.windows.get(key);
    if (!w || w.resetAt <= now) this.windows.set(key, { failures: 1, resetAt: now + this.windowMs });
    else w.failures++;
  }
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Installs the guard; call before any route is registered. */
export function installAuthGuard(app: FastifyInstance, tokens: Tokens) {
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return; // the dashboard's files
    route.config ??= {};
    const config = route.config as { access?: Access };
    if (route.url === '/api/docs' || route.url.startsWith('/api/docs/')) config.access ??= 'public';
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    config.access ??= methods.every((m) => READS.has(m)) ? 'viewer' : 'admin';
    if (config.access !== 'public') {
      route.schema = {
        ...route.schema,
        security: [{ bearerAuth: [] }],
        description: [route.schema?.description, `Role: ${config.access}.`].filter(Boolean).join(' '),
      };
    }
  });
  app.addHook('onRequest', async (req) => {
    const access = req.routeOptions.config?.access;
    if (!access || access === 'public') return;
    req.user = await tokens.fromRequest(req);
    if (access === 'admin' && req.user.role !== 'admin')
      throw new HttpError(403, `${req.method} ${req.routeOptions.url} needs the admin role`);
  });
}

const credentials = {
  type: 'object',
  required: ['username', 'password'],
  additionalProperties: false,
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 64 },
    password: { type: 'string', minLength: 1, maxLength: 1024 },
  },
} as const;

// A hash to verify against when the user does not exist, so both answers take as long.
const NO_USER_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

function asHttp(err: unknown): never {
  if (err instanceof UserError) throw new HttpError(err.statusCode, err.message);
  throw err;
}

export const authRoutes =
  (ctx: ApiContext, tokens: Tokens): FastifyPluginAsync =>
  async (app) => {
    // Ten failures per address and five per user name in 15 minutes, then a wait.
    const byAddress = new FailureLimiter(10, 15 * 60_000);
    const byUsername = new FailureLimiter(5, 15 * 60_000);

    app.post<{ Body: { username: string; password: string } }>(
      '/api/auth/login',
      {
        config: { access: 'public' },
        schema: {
          summary: 'Sign in: an access token (Authorization: Bearer, 15 minutes) and a refresh token (12 hours)',
          body: credentials,
        },
      },
      async (req, reply) => {
        const { username, password } = req.body;
        const wait = Math.max(byAddress.retryAfterSec(req.ip), byUsername.retryAfterSec(username));
        if (wait > 0) {
          reply.header('retry-after', String(wait));
          throw new HttpError(429, `too many failed logins; try again in ${wait} s`);
        }
        const user = await findUserByName(ctx.db.prisma, username);
        const ok = await verifyPassword(password, user?.passwordHash ?? NO_USER_HASH);
        if (!user || !ok) {
          byAddress.fail(req.ip);
          byUsername.fail(username);
          req.log.warn({ username, ip: req.ip }, 'failed login');
          throw new HttpError(401, 'wrong username or password');
        }
        return tokens.issue(user);
      },
    );

    app.post<{ Body: { refreshToken: string } }>(
      '/api/auth/refresh',
      {
        config: { access: 'public' },
        schema: {
          summary: 'A new access token (and refresh token) for a refresh token',
          body: {
            type: 'object',
            required: ['refreshToken'],
            additionalProperties: false,
            properties: { refreshToken: { type: 'string', minLength: 1, maxLength: 4096 } },
          },
        },
      },
      async (req) => tokens.issue(await tokens.verify(req.body.refreshToken, 'refresh')),
    );

    app.get('/api/auth/me', { schema: { summary: 'The signed-in user and role' } }, async (req) => ({
      username: req.user?.username,
      role: req.user?.role,
    }));

    app.get('/api/users', { config: { access: 'admin' }, schema: { summary: 'Users and their roles' } }, async () =>
      listUsers(ctx.db),
    );

    app.post<{ Body: { username: string; role: string; password: string } }>(
      '/api/users',
      {
        schema: {
          summary: 'Add a user',
          body: {
            type: 'object',
            required: ['username', 'role', 'password'],
            additionalProperties: false,
            properties: {
              username: { type: 'string', pattern: USERNAME_PATTERN },
              role: { type: 'string', enum: [...USER_ROLES] },
              password: { type: 'string', minLength: 1, maxLength: 1024 },
            },
          },
        },
      },
      async (req, reply) =>
        reply.status(201).send(await addUser(ctx.db, req.user?.username ?? '?', req.body).catch(asHttp)),
    );

    app.patch<{ Params: { username: string }; Body: { role?: string; password?: string } }>(
      '/api/users/:username',
      {
        schema: {
          summary: "Change a user's role or password (their earlier tokens stop working)",
          params: {
            type: 'object',
            required: ['username'],
            properties: { username: { type: 'string', pattern: USERNAME_PATTERN } },
          },
          body: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: {
              role: { type: 'string', enum: [...USER_ROLES] },
              password: { type: 'string', minLength: 1, maxLength: 1024 },
            },
          },
        },
      },
      async (req) => {
        const actor = req.user?.username ?? '?';
        const { username } = req.params;
        if (req.body.password !== undefined)
          await setPassword(ctx.db, actor, username, req.body.password).catch(asHttp);
        if (req.body.role !== undefined) await setRole(ctx.db, actor, username, req.body.role).catch(asHttp);
        return (await listUsers(ctx.db)).find((u) => u.username === username);
      },
    );

    app.get<{ Querystring: { limit: number } }>(
      '/api/audit',
      {
        schema: {
          summary: 'Who changed what and when (sessions, configs, stops, keys, users), newest first',
          querystring: {
            type: 'object',
            properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 } },
          },
        },
      },
      async (req) => recentAudit(ctx.db.prisma, req.query.limit),
    );
  };
