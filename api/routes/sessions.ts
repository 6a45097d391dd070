// Sessions: start, list, inspect (live state by query), pause/resume, config update, emergency stop.
import { randomBytes } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { FastifyPluginAsync } from 'fastify';
import {
  checkStrategyAndRisk,
  defaultSessionConfig,
  describeErrors,
  parseSessionConfig,
  SESSION_PRESETS,
  type SessionConfig,
  type SessionPreset,
} from '../../core/session/config';
import { DEFAULT_STRATEGY_ID } from '../../core/strategy';
import {
  emergencyStopSignal,
  pauseSignal,
  resumeSignal,
  type SessionStatus,
  sessionStatusQuery,
  updateConfigUpdate,
} from '../../workflows/definitions';
import { sessionWorkflowId, TASK_QUEUE_TRADING } from '../../workflows/ids';
import { SA_SESSION_ID, SA_SESSION_STATUS, SA_STRATEGY, SA_TRADING_MODE } from '../../workflows/search-attributes';
import type { tradingSession } from '../../workflows/session';
import { type ApiContext, HttpError } from '../context';

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[a-z0-9]{1,20}$' } },
} as const;

export const sessionRoutes =
  (ctx: ApiContext): FastifyPluginAsync =>
  async (app) => {
    const handleOf = (id: string) => ctx.temporal.workflow.getHandle(sessionWorkflowId(id));

    /**
     * Refuses markets the exchange of `mode` does not list: a session for one would be accepted and then fail every
     * evaluation. An exchange that cannot answer refuses the request too (503), rather than let an unchecked market in.
     */
    async function checkMarketsExist(mode: SessionConfig['mode'], markets: unknown): Promise<void> {
      if (!Array.isArray(markets) || markets.length === 0) return;
      let listed: Set<string>;
      try {
        listed = new Set((await ctx.exchange(mode).markets()).map((m) => m.market));
      } catch (err) {
        throw new HttpError(503, `cannot check the markets against the ${mode} exchange: ${(err as Error).message}`);
      }
      const unknown = markets.filter((m) => !listed.has(m));
      if (unknown.length)
        throw new HttpError(
          400,
          `markets: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not listed on the ${mode} exchange (GET /api/markets lists its markets)`,
        );
    }

    async function findSession(id: string) {
      const row = await ctx.db.prisma.session.findUnique({ where: { id } });
      if (!row) throw new HttpError(404, `no session ${id}`);
      return row;
    }

    app.get('/api/sessions', { schema: { summary: 'List sessions, newest first' } }, async () => {
      const rows = await ctx.db.prisma.session.findMany({ orderBy: { createdAt: 'desc' }, take: 200 });
      return rows;
    });

    app.post<{
      Body: {
        name: string;
        mode?: string;
        strategy?: string;
        preset?: SessionPreset;
        config?: Record<string, unknown>;
      };
    }>(
      '/api/sessions',
      {
        schema: {
          summary: 'Start a trading session (`{"name":"demo"}` is enough: sim mode, default strategy and limits)',
          body: {
            type: 'object',
            required: ['name'],
            additionalProperties: false,
            properties: {
              name: { type: 'string', minLength: 1, maxLength: 80 },
              mode: { type: 'string', enum: ['sim', 'paper', 'live'] },
              strategy: { type: 'string' },
              preset: { type: 'string', enum: Object.keys(SESSION_PRESETS) },
              config: { type: 'object' },
            },
          },
        },
      },
      async (req, reply) => {
        const { name, mode, strategy, preset, config } = req.body;
        let base = defaultSessionConfig(name, strategy ?? DEFAULT_STRATEGY_ID);
        base.mode = (mode as SessionConfig['mode']) ?? ctx.defaultMode;
        if (preset) {
          // A preset sits between the defaults and what the request says.
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
        const cfg = parsed.value;
        await checkMarketsExist(cfg.mode, cfg.markets);
        const id = randomBytes(6).toString('hex').slice(0, 10);
        const row = await ctx.db.prisma.session.create({
          data: {
            id,
            name: cfg.name,
            mode: cfg.mode,
            strategy: cfg.strategy,
            status: 'starting',
            config: cfg as object,
          },
        });
        await ctx.db.prisma.configHistory.create({ data: { sessionId: id, config: cfg as object, reason: 'created' } });
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
      async (req) => {
        let row = await findSession(req.params.id);
        const handle = handleOf(row.id);
        let live: SessionStatus | null = null;
        let liveError: string | null = null;
        try {
          // A failed or terminated workflow still answers queries with its last state: ask Temporal
          // how it ended, and write that down so the list tells the truth too.
          const described = await handle.describe();
          const ended = described.status.name;
          if (ended !== 'RUNNING' && ended !== 'CONTINUED_AS_NEW') {
            const status = ended === 'COMPLETED' ? 'stopped' : 'failed';
            if (row.status !== status) {
              row = await ctx.db.prisma.session.update({ where: { id: row.id }, data: { status } });
            }
            if (status === 'failed') liveError = `workflow ${ended.toLowerCase()}`;
          }
          live = await handle.query(sessionStatusQuery);
        } catch (err) {
          liveError = (err as Error).message;
        }
        return { ...row, live, liveError };
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
        const row = await findSession(req.params.id);
        await checkMarketsExist(row.mode as SessionConfig['mode'], req.body.markets);
        try {
          return await handleOf(req.params.id).executeUpdate(updateConfigUpdate, { args: [req.body] });
        } catch (err) {
          if (err instanceof WorkflowUpdateFailedError)
            throw new HttpError(400, (err.cause as Error)?.message ?? err.message);
          if (err instanceof WorkflowNotFoundError) throw new HttpError(409, 'session is not running');
          throw err;
        }
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
          reason: 'emergency stop from the API',
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
        const rows = await ctx.db.prisma.session.findMany({ where: { status: { notIn: ['stopped', 'failed'] } } });
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
        return reply.status(202).send({ signalled });
      },
    );
  };
