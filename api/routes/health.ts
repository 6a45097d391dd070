import type { FastifyPluginAsync } from 'fastify';
import { checkDatabase } from '../../prisma/db';
import type { Tokens } from '../auth';
import type { ApiContext } from '../context';

async function check(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return 'ok';
  } catch (err) {
    return (err as Error).message || String(err);
  }
}

export const healthRoutes =
  (ctx: ApiContext, tokens: Tokens): FastifyPluginAsync =>
  async (app) => {
    app.get(
      '/api/health',
      {
        config: { access: 'public' },
        schema: {
          summary: 'Whether Temporal, the database and the exchange answer',
          description:
            'Open to all, but without a valid token only `status` is answered (the parts and their errors are for signed-in users).',
          response: {
            200: {
              type: 'object',
              properties: {
                status: { type: 'string', enum: ['ok', 'degraded'] },
                temporal: { type: 'string' },
                db: { type: 'string' },
                exchange: { type: 'string' },
                mode: { type: 'string' },
                temporalUi: { type: 'string' },
              },
            },
          },
        },
      },
      async (req) => {
        const signedIn = await tokens.fromRequest(req).then(
          () => true,
          () => false,
        );
        const [temporal, db, exchange] = await Promise.all([
          check(() => ctx.temporal.workflowService.getSystemInfo({})),
          checkDatabase(ctx.db).catch((e: Error) => e.message),
          check(() => ctx.exchange(ctx.defaultMode).ticker(['KRW-BTC'])),
        ]);
        const status = temporal === 'ok' && db === 'ok' && exchange === 'ok' ? 'ok' : 'degraded';
        if (!signedIn) return { status };
        return { status, temporal, db, exchange, mode: ctx.defaultMode, temporalUi: ctx.temporalUiUrl };
      },
    );
  };
