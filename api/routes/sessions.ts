// Sessions: start, list, inspect (live state by query), pause/resume, config update, emergency stop.
import { randomBytes } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { SessionBody, SessionDetailBody, SessionLiveBody } from '../../core/contract/api';
import {
  checkStrategyAndRisk,
  defaultSessionConfig,
  describeErrors,
  parseSessionConfig,
  SESSION_PRESETS,
  type SessionConfig,
  type SessionPreset,
  sessionRiskConfig,
} from '../../core/session/config';
import { DEFAULT_STRATEGY_ID } from '../../core/strategy';
import { decideProposal, findSessionProposal, proposalsOf } from '../../prisma/repositories/retune-proposals';
import {
  configHistoryOf,
  createSession,
  findSession as findSessionRow,
  listSessions,
  setSessionStatus,
  unfinishedSessions,
} from '../../prisma/repositories/sessions';
import { recordAudit } from '../../security/audit';
import {
  emergencyStopSignal,
  pauseSignal,
  resumeSignal,
  sessionStatusQuery,
  updateConfigUpdate,
} from '../../workflows/definitions';
import { sessionWorkflowId, TASK_QUEUE_TRADING } from '../../workflows/ids';
import { SA_SESSION_ID, SA_SESSION_STATUS, SA_STRATEGY, SA_TRADING_MODE } from '../../workflows/search-attributes';
import type { tradingSession } from '../../workflows/session';
import type { AuthUser } from '../auth';
import { type ApiContext, HttpError } from '../context';
import { assertLiveAllowed, configHash, LiveConfirmations } from '../live-start';
import { accountNow, sessionRiskView } from '../session-risk';

const actorOf = (req: FastifyRequest) => req.user?.username ?? '?';

/** A stored session: its config column holds the SessionConfig it was validated as when it started. */
const sessionBody = <T extends { config: unknown }>(row: T) => ({ ...row, config: row.config as SessionConfig });

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[a-z0-9]{1,20}$' } },
} as const;

export type StartBody = {
  name: string;
  mode?: string;
  strategy?: string;
  preset?: SessionPreset;
  config?: Record<string, unknown>;
  confirmationToken?: string;
  confirmName?: string;
};
export const startProperties = {
  name: { type: 'string', minLength: 1, maxLength: 80 },
  mode: { type: 'string', enum: ['sim', 'paper', 'live'] },
  strategy: { type: 'string', maxLength: 80 },
  preset: { type: 'string', enum: Object.keys(SESSION_PRESETS) },
  config: { type: 'object' },
} as const;

/** The config a start request describes: defaults, then the preset, then what the request says. */
export function sessionConfigOf(body: StartBody, defaultMode: SessionConfig['mode']): SessionConfig {
  const { name, mode, strategy, preset, config } = body;
  let base = defaultSessionConfig(name, strategy ?? DEFAULT_STRATEGY_ID);
  base.mode = (mode as SessionConfig['mode']) ?? defaultMode;
  // The demo shows the machinery with the probe strategy and loose limits: never with real money.
  if (preset === 'demo' && base.mode === 'live')
    throw new HttpError(400, 'preset: the demo preset cannot run in live mode');
  if (preset) {
    const withPreset = parseSessionConfig(SESSION_PRESETS[preset], base);
    if (!withPreset.ok) throw new Error(`preset ${preset} is invalid: ${describeErrors(withPreset.errors)}`);
    base = withPreset.value;
  }
  const parsed = parseSessionConfig(
    { ...(config ?? {}), name, ...(mode && { mode }), ...(strategy && { strategy }) },
    base,
  );
  if (!parsed.ok) throw new HttpError(400, `invalid session config: ${describeErrors(parsed.errors)}`);
  const errors = checkStrategyAndRisk(parsed.value);
  if (errors.length) throw new HttpError(400, `invalid session config: ${errors.join('; ')}`);
  return parsed.value;
}

export const sessionRoutes =
  (ctx: ApiContext): FastifyPluginAsync =>
  async (app) => {
    const liveConfirmations = new LiveConfirmations(ctx.masterKey);

    /**
     * Refuses markets the exchange of `mode` does not list: a session for one would be accepted and then fail every
     * evaluation. An exchange that cannot answer refuses the request too (503), rather than let an unchecked market in.
     */
    async function checkListed(mode: SessionConfig['mode'], markets: unknown): Promise<void> {
      if (!Array.isArray(markets) || markets.length === 0) return;
      let listed: Set<string>;
      try {
        listed = new Set((await ctx.exchange(mode).markets()).map((m) => m.market));
      } catch (err) {
        throw new HttpError(
          503,
          `markets: cannot be checked against the ${mode} exchange now: ${(err as Error).message}`,
        );
      }
      const unknown = markets.filter((m) => typeof m === 'string' && !listed.has(m));
      if (unknown.length)
        throw new HttpError(
          400,
          `markets: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not listed on the ${mode} exchange (GET /api/markets lists its markets)`,
        );
    }
    const handleOf = (id: string) => ctx.temporal.workflow.getHandle(sessionWorkflowId(id));

    async function findSession(id: string): Promise<SessionBody> {
      const row = await findSessionRow(ctx.db.prisma, id);
      if (!row) throw new HttpError(404, `no session ${id}`);
      return sessionBody(row);
    }

    app.get(
      '/api/sessions',
      { schema: { summary: 'List sessions, newest first' } },
      async (): Promise<SessionBody[]> => {
        const rows = await listSessions(ctx.db.prisma, 200);
        return rows.map(sessionBody);
      },
    );

    app.post<{ Body: Omit<StartBody, 'mode' | 'confirmationToken' | 'confirmName'> }>(
      '/api/sessions/live-confirmation',
      {
        schema: {
          summary: 'Step 1 of a live start: the config as it will run, and a confirmation token (2 minutes)',
          description:
            'Same body as POST /api/sessions (mode is live). Refused unless the server runs with ALLOW_LIVE=1 and has an Upbit key. Start with POST /api/sessions {..., mode: "live", confirmationToken, confirmName: <the name typed again>}.',
          body: { type: 'object', required: ['name'], additionalProperties: false, properties: startProperties },
        },
      },
      async (req) => {
        const cfg = sessionConfigOf({ ...req.body, mode: 'live' }, ctx.defaultMode);
        await assertLiveAllowed(ctx);
        await checkListed(cfg.mode, cfg.markets);
        const user = req.user as AuthUser;
        await recordAudit(ctx.db, {
          actor: user.username,
          action: 'session.live_confirmation',
          target: cfg.name,
          details: { strategy: cfg.strategy, configHash: configHash(cfg) },
        });
        return { ...liveConfirmations.issue(user, cfg), config: cfg };
      },
    );

    app.post<{ Body: StartBody }>(
      '/api/sessions',
      {
        config: { quota: 'sessionStarts' },
        schema: {
          summary: 'Start a trading session (`{"name":"demo"}` is enough: sim mode, default strategy and limits)',
          description:
            'A live session needs ALLOW_LIVE=1 on the server, an Upbit key, and two steps: POST /api/sessions/live-confirmation, then this route with its `confirmationToken` and `confirmName` (the session name typed again).',
          body: {
            type: 'object',
            required: ['name'],
            additionalProperties: false,
            properties: {
              ...startProperties,
              confirmationToken: { type: 'string', maxLength: 4096 },
              confirmName: { type: 'string', maxLength: 80 },
            },
          },
        },
      },
      async (req, reply) => {
        const cfg = sessionConfigOf(req.body, ctx.defaultMode);
        await checkListed(cfg.mode, cfg.markets);
        const user = req.user as AuthUser;
        let confirmation: { tokenId: string; configHash: string } | undefined;
        if (cfg.mode === 'live') {
          await assertLiveAllowed(ctx);
          if (!req.body.confirmationToken)
            throw new HttpError(
              403,
              'confirmationToken: a live start needs the token from POST /api/sessions/live-confirmation',
            );
          confirmation = liveConfirmations.verify(req.body.confirmationToken, user, cfg);
          if (req.body.confirmName !== cfg.name)
            throw new HttpError(400, 'confirmName: type the session name again to start it live');
        }
        const id = randomBytes(6).toString('hex').slice(0, 10);
        const row = await createSession(ctx.db.prisma, {
          id,
          config: cfg,
          ...(confirmation && { confirmation: { ...confirmation, confirmedBy: user.username } }),
        });
        if (!row) throw new HttpError(409, 'confirmationToken: already used; ask for a new confirmation');
        await recordAudit(ctx.db, {
          actor: user.username,
          action: 'session.start',
          target: id,
          details: { name: cfg.name, mode: cfg.mode, strategy: cfg.strategy },
        });
        await ctx.temporal.workflow.start<typeof tradingSession>('tradingSession', {
          workflowId: sessionWorkflowId(id),
          taskQueue: TASK_QUEUE_TRADING,
          args: [{ sessionId: id, config: cfg }],
          workflowIdConflictPolicy: 'USE_EXISTING',
          typedSearchAttributes: [
            { key: SA_SESSION_ID, value: id },
            { key: SA_TRADING_MODE, value: cfg.mode },
            { key: SA_SESSION_STATUS, value: 'starting' },
            { key: SA_STRATEGY, value: cfg.strategy },
          ],
          staticSummary: `Trading session "${cfg.name}" (${cfg.mode}, ${cfg.strategy})`,
        });
        return reply.status(201).send(row);
      },
    );

    app.get<{ Params: { id: string } }>(
      '/api/sessions/:id',
      { schema: { summary: 'A session with its live state (queried from its workflow)', params: idParams } },
      async (req): Promise<SessionDetailBody> => {
        let row = await findSession(req.params.id);
        const handle = handleOf(row.id);
        let live: SessionLiveBody | null = null;
        let liveError: string | null = null;
        try {
          // A failed or terminated workflow still answers queries with its last state: ask Temporal
          // how it ended, and write that down so the list tells the truth too.
          const described = await handle.describe();
          const ended = described.status.name;
          if (ended !== 'RUNNING' && ended !== 'CONTINUED_AS_NEW') {
            const status = ended === 'COMPLETED' ? 'stopped' : 'failed';
            if (row.status !== status) {
              row = sessionBody(await setSessionStatus(ctx.db.prisma, row.id, status));
            }
            if (status === 'failed') liveError = `workflow ${ended.toLowerCase()}`;
          }
          // The workflow's risk memory is core/risk's RiskState (typed `unknown` in the query's definition).
          live = (await handle.query(sessionStatusQuery)) as SessionLiveBody;
        } catch (err) {
          liveError = (err as Error).message;
        }
        let risk: SessionDetailBody['risk'] = null;
        if (live) {
          const limits = sessionRiskConfig(live.config);
          if (limits.ok) risk = sessionRiskView(live.risk, limits.value, Date.now(), await accountNow(ctx, row.mode));
        }
        return { ...row, live, liveError, risk };
      },
    );

    for (const [action, signal] of [
      ['pause', pauseSignal],
      ['resume', resumeSignal],
    ] as const) {
      app.post<{ Params: { id: string } }>(
        `/api/sessions/:id/${action}`,
        { schema: { summary: `${action} a session`, params: idParams } },
        async (req, reply) => {
          await findSession(req.params.id);
          await handleOf(req.params.id).signal(signal);
          await recordAudit(ctx.db, { actor: actorOf(req), action: `session.${action}`, target: req.params.id });
          return reply.status(202).send({ ok: true });
        },
      );
    }

    app.patch<{ Params: { id: string }; Body: Record<string, unknown> }>(
      '/api/sessions/:id/config',
      {
        schema: {
          summary: "Change a running session's config (validated by the workflow)",
          params: idParams,
          body: { type: 'object' },
        },
      },
      async (req) => {
        const session = await findSession(req.params.id);
        await checkListed(session.mode, req.body.markets);
        try {
          const updated = await handleOf(req.params.id).executeUpdate(updateConfigUpdate, { args: [req.body] });
          await recordAudit(ctx.db, {
            actor: actorOf(req),
            action: 'session.config',
            target: req.params.id,
            details: { change: req.body },
          });
          return updated;
        } catch (err) {
          if (err instanceof WorkflowUpdateFailedError)
            throw new HttpError(400, (err.cause as Error)?.message ?? err.message);
          if (err instanceof WorkflowNotFoundError) throw new HttpError(409, 'session is not running');
          throw err;
        }
      },
    );

    app.get<{ Params: { id: string } }>(
      '/api/sessions/:id/config-history',
      {
        schema: {
          summary: 'Every config the session has run with, why it changed, and the evidence of a re-tuning',
          params: idParams,
        },
      },
      async (req) => {
        await findSession(req.params.id);
        return configHistoryOf(ctx.db.prisma, req.params.id, 200);
      },
    );

    app.get<{ Params: { id: string } }>(
      '/api/sessions/:id/retune-proposals',
      {
        schema: {
          summary: "Parameter sets the session's scheduled re-tuning found better out of sample, newest first",
          description:
            'status: proposed (waiting for an admin), applied, superseded (a newer run proposed again) or rejected ' +
            "(the session's validator refused it). evidence holds both parameter sets, their out-of-sample metrics and " +
            'the data range.',
          params: idParams,
        },
      },
      async (req) => {
        await findSession(req.params.id);
        return proposalsOf(ctx.db.prisma, req.params.id, 50);
      },
    );

    app.post<{ Params: { id: string; proposalId: string } }>(
      '/api/sessions/:id/retune-proposals/:proposalId/apply',
      {
        config: { access: 'admin' },
        schema: {
          summary: "Apply a re-tuning proposal through the session's validated config update (admin)",
          params: {
            type: 'object',
            required: ['id', 'proposalId'],
            properties: {
              id: idParams.properties.id,
              proposalId: { type: 'string', pattern: '^[A-Za-z0-9-]{1,120}$' },
            },
          },
        },
      },
      async (req) => {
        const session = await findSession(req.params.id);
        const proposal = await findSessionProposal(ctx.db.prisma, session.id, req.params.proposalId);
        if (!proposal)
          throw new HttpError(404, `no retune proposal ${req.params.proposalId} for session ${session.id}`);
        if (proposal.status !== 'proposed') throw new HttpError(409, `the proposal is ${proposal.status}`);
        const evidence = proposal.evidence as { strategy?: string };
        if (evidence.strategy !== session.strategy)
          throw new HttpError(
            409,
            `the proposal is for strategy ${evidence.strategy}, the session runs ${session.strategy}`,
          );
        let updated: SessionConfig;
        try {
          updated = await handleOf(session.id).executeUpdate(updateConfigUpdate, {
            args: [
              { strategyParams: proposal.params as Record<string, unknown> },
              { reason: 'retune-applied', evidence: { ...(proposal.evidence as object), appliedBy: actorOf(req) } },
            ],
          });
        } catch (err) {
          if (err instanceof WorkflowUpdateFailedError)
            throw new HttpError(400, (err.cause as Error)?.message ?? err.message);
          if (err instanceof WorkflowNotFoundError) throw new HttpError(409, 'session is not running');
          throw err;
        }
        await decideProposal(ctx.db.prisma, proposal.id, 'applied', actorOf(req));
        await recordAudit(ctx.db, {
          actor: actorOf(req),
          action: 'session.retune_apply',
          target: session.id,
          details: { proposalId: proposal.id, params: proposal.params },
        });
        return updated;
      },
    );

    const stopBody = {
      type: 'object',
      required: ['mode', 'confirm'],
      additionalProperties: false,
      properties: { mode: { type: 'string', enum: ['halt', 'flatten'] }, confirm: { type: 'string' } },
    } as const;

    app.post<{ Params: { id: string }; Body: { mode: 'halt' | 'flatten'; confirm: string } }>(
      '/api/sessions/:id/emergency-stop',
      {
        schema: {
          summary: 'Emergency stop: halt (no new entries, cancel entry orders) or flatten (also sell everything)',
          description: 'Double confirmation: `confirm` must equal the session id.',
          params: idParams,
          body: stopBody,
        },
      },
      async (req, reply) => {
        await findSession(req.params.id);
        if (req.body.confirm !== req.params.id) throw new HttpError(400, 'confirm: must equal the session id');
        await handleOf(req.params.id).signal(emergencyStopSignal, {
          mode: req.body.mode,
          reason: `emergency stop from the API by ${actorOf(req)}`,
        });
        await recordAudit(ctx.db, {
          actor: actorOf(req),
          action: 'session.emergency_stop',
          target: req.params.id,
          details: { mode: req.body.mode },
        });
        return reply.status(202).send({ ok: true, mode: req.body.mode });
      },
    );

    app.post<{ Body: { mode: 'halt' | 'flatten'; confirm: string } }>(
      '/api/emergency-stop',
      {
        schema: {
          summary: 'Emergency stop of every running session (found through visibility search)',
          description: 'Double confirmation: `confirm` must be "STOP ALL".',
          body: stopBody,
        },
      },
      async (req, reply) => {
        if (req.body.confirm !== 'STOP ALL') throw new HttpError(400, 'confirm: must be "STOP ALL"');
        const signalled: string[] = [];
        // Visibility is eventually consistent: the database's running sessions are signalled too.
        const ids = new Set<string>();
        for await (const wf of ctx.temporal.workflow.list({
          query: `WorkflowType = 'tradingSession' AND ExecutionStatus = 'Running'`,
        })) {
          ids.add(wf.workflowId);
        }
        const rows = await unfinishedSessions(ctx.db.prisma);
        for (const r of rows) ids.add(sessionWorkflowId(r.id));
        for (const workflowId of ids) {
          try {
            await ctx.temporal.workflow
              .getHandle(workflowId)
              .signal(emergencyStopSignal, { mode: req.body.mode, reason: 'emergency stop of all sessions' });
            signalled.push(workflowId);
          } catch (err) {
            if (!(err instanceof WorkflowNotFoundError)) throw err;
          }
        }
        await recordAudit(ctx.db, {
          actor: actorOf(req),
          action: 'emergency_stop_all',
          details: { mode: req.body.mode, signalled },
        });
        return reply.status(202).send({ signalled });
      },
    );
  };
