// Alert channels (Telegram, Slack, Discord) that fills, stops, risk events and errors go to.
import type { FastifyPluginAsync } from 'fastify';
import { addAlertChannel, alertChannels, removeAlertChannel } from '../../prisma/repositories/events';
import {
  alertUrls,
  checkAlertUrl,
  sealAlertTarget,
  shownAlertTarget,
  validateAlertTarget,
} from '../../security/alert-targets';
import { recordAudit } from '../../security/audit';
import { SecretBox } from '../../security/secret-box';
import { type ApiContext, HttpError } from '../context';

export const alertRoutes =
  (ctx: ApiContext): FastifyPluginAsync =>
  async (app) => {
    const box = new SecretBox(ctx.masterKey, 'alert-targets');
    const shown = <T extends { kind: string; target: unknown }>(row: T) => ({
      ...row,
      target: shownAlertTarget(row.kind, row.target),
    });

    app.get(
      '/api/alert-channels',
      { schema: { summary: 'Alert channels (tokens and webhook URLs redacted)' } },
      async () => (await alertChannels(ctx.db.prisma)).map(shown),
    );

    app.post<{
      Body: {
        kind: 'telegram' | 'slack' | 'discord';
        target: Record<string, unknown>;
        minSeverity?: string;
        enabled?: boolean;
      };
    }>(
      '/api/alert-channels',
      {
        schema: {
          summary: 'Add an alert channel',
          description:
            'telegram: target {botToken, chatId}; slack and discord: target {webhookUrl}. minSeverity: info | warn | critical.',
          body: {
            type: 'object',
            required: ['kind', 'target'],
            additionalProperties: false,
            properties: {
              kind: { type: 'string', enum: ['telegram', 'slack', 'discord'] },
              target: { type: 'object' },
              minSeverity: { type: 'string', enum: ['info', 'warn', 'critical'] },
              enabled: { type: 'boolean' },
            },
          },
        },
      },
      async (req, reply) => {
        const errors = validateAlertTarget(req.body.kind, req.body.target);
        if (errors.length) throw new HttpError(400, errors.join('; '));
        for (const [field, url] of alertUrls(req.body.kind, req.body.target)) {
          const refused = await checkAlertUrl(url, field);
          if (refused) throw new HttpError(400, refused);
        }
        const row = await addAlertChannel(ctx.db.prisma, {
          kind: req.body.kind,
          target: sealAlertTarget(box, req.body.kind, req.body.target),
          minSeverity: (req.body.minSeverity as 'info' | 'warn' | 'critical') ?? 'warn',
          enabled: req.body.enabled ?? true,
        });
        await recordAudit(ctx.db, {
          actor: req.user?.username ?? '?',
          action: 'alert_channel.add',
          target: row.id,
          details: { kind: row.kind },
        });
        return reply.status(201).send(shown(row));
      },
    );

    app.delete<{ Params: { id: string } }>(
      '/api/alert-channels/:id',
      {
        schema: {
          summary: 'Remove an alert channel',
          params: { type: 'object', properties: { id: { type: 'string' } } },
        },
      },
      async (req) => {
        if (!(await removeAlertChannel(ctx.db.prisma, req.params.id)))
          throw new HttpError(404, `no alert channel ${req.params.id}`);
        await recordAudit(ctx.db, {
          actor: req.user?.username ?? '?',
          action: 'alert_channel.remove',
          target: req.params.id,
        });
        return { deleted: req.params.id };
      },
    );
  };
