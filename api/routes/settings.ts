// The Settings page's session routes: a preview of a config change of a running session (validated as the
// session's own update validator does it, without applying), and the config history with who changed what.
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyPluginAsync } from 'fastify';
import type { ConfigChangeBody, ConfigPreviewBody, SessionLiveBody } from '../../core/contract/api';
import {
  checkStrategyAndRisk,
  describeErrors,
  parseSessionConfig,
  type SessionConfig,
} from '../../core/session/config';
import { configChanges } from '../../core/session/config-change';
import { configHistoryWithAudit } from '../../prisma/repositories/config-changes';
import { findSession } from '../../prisma/repositories/sessions';
import { sessionStatusQuery } from '../../workflows/definitions';
import { sessionWorkflowId } from '../../workflows/ids';
import { type ApiContext, HttpError } from '../context';

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[a-z0-9]{1,20}$' } },
} as const;

/** A user's config change is audited just after the session recorded it; this long after at most. */
const AUDIT_LAG_MS = 60_000;

export const settingsRoutes =
  (ctx: ApiContext): FastifyPluginAsync =>
  async (app) => {
    async function existing(id: string) {
      if (!(await findSession(ctx.db.prisma, id))) throw new HttpError(404, `no session ${id}`);
    }

    app.post<{ Params: { id: string }; Body: Record<string, unknown> }>(
      '/api/sessions/:id/config/preview',
      {
        schema: {
          summary: 'What a config change would do to a running session, without applying it',
          description:
            'The body is what PATCH /api/sessions/:id/config takes. Each changed field says when it takes effect: ' +
            'live (next evaluation), newPositions (exit settings: open positions keep their plan) or newSession ' +
            '(refused while running).',
          params: idParams,
          body: { type: 'object' },
        },
      },
      async (req): Promise<ConfigPreviewBody> => {
        await existing(req.params.id);
        let current: SessionConfig;
        try {
          const live = (await ctx.temporal.workflow
            .getHandle(sessionWorkflowId(req.params.id))
            .query(sessionStatusQuery)) as SessionLiveBody;
          current = live.config;
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) throw new HttpError(409, 'session is not running');
          throw err;
        }
        // The same checks as the session's update validator (workflows/session.ts).
        const parsed = parseSessionConfig(req.body, current);
        if (!parsed.ok) throw new HttpError(400, describeErrors(parsed.errors));
        if (parsed.value.mode !== current.mode)
          throw new HttpError(400, 'mode: cannot change the mode of a running session');
        const errors = checkStrategyAndRisk(parsed.value);
        if (errors.length) throw new HttpError(400, errors.join('; '));
        return { config: parsed.value, changes: configChanges(current, parsed.value) };
      },
    );

    app.get<{ Params: { id: string } }>(
      '/api/sessions/:id/config-changes',
      {
        schema: {
          summary: 'Each config the session ran with, newest first: who set it and what it changed',
          params: idParams,
        },
      },
      async (req): Promise<ConfigChangeBody[]> => {
        await existing(req.params.id);
        const { history, audit } = await configHistoryWithAudit(ctx.db, req.params.id);
        const used = new Set<string>();
        const out: ConfigChangeBody[] = [];
        let previous: SessionConfig | null = null;
        for (const row of history) {
          const config = row.config as unknown as SessionConfig;
          const evidence = (row.evidence ?? {}) as { appliedBy?: unknown };
          let actor: string | null = typeof evidence.appliedBy === 'string' ? evidence.appliedBy : null;
          if (row.reason === 'created' || row.reason === 'updateConfig') {
            // The audit event written right after this row by the route that made the change.
            const action = row.reason === 'created' ? 'session.start' : 'session.config';
            const at = row.createdAt.getTime();
            const match = audit.find(
              (a) =>
                !used.has(a.id) &&
                a.action === action &&
                a.createdAt.getTime() >= at - 1_000 &&
                a.createdAt.getTime() <= at + AUDIT_LAG_MS,
            );
            if (match) {
              used.add(match.id);
              actor = match.actor;
            }
          }
          out.push({
            id: row.id,
            createdAt: row.createdAt,
            reason: row.reason,
            actor,
            changes: previous ? configChanges(previous, config) : [],
          });
          previous = config;
        }
        return out.reverse();
      },
    );
  };
