// Exchange keys in the vault: stored and rotated by an admin, never returned (last 4 characters of
// the access key and a fingerprint only).
import type { FastifyPluginAsync } from 'fastify';
import type { KeyVault } from '../../security/vault';
import { HttpError } from '../context';

const labelParams = {
  type: 'object',
  required: ['label'],
  properties: { label: { type: 'string', enum: ['live'] } },
} as const;

const keyView = {
  type: 'object',
  properties: {
    label: { type: 'string' },
    accessKeyLast4: { type: 'string' },
    fingerprint: { type: 'string' },
    storedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const keyRoutes =
  (vault: KeyVault): FastifyPluginAsync =>
  async (app) => {
    app.get(
      '/api/exchange-keys',
      {
        schema: {
          summary: 'Stored exchange keys: label, last 4 characters, fingerprint',
          response: { 200: { type: 'array', items: keyView } },
        },
      },
      async () => vault.list(),
    );

    app.put<{ Params: { label: 'live' }; Body: { accessKey: string; secretKey: string } }>(
      '/api/exchange-keys/:label',
      {
        schema: {
          summary: 'Store (or rotate) the Upbit key live mode trades with; the next exchange call uses it',
          params: labelParams,
          body: {
            type: 'object',
            required: ['accessKey', 'secretKey'],
            additionalProperties: false,
            properties: {
              accessKey: { type: 'string', pattern: '^[\\x21-\\x7e]{16,200}$' },
              secretKey: { type: 'string', pattern: '^[\\x21-\\x7e]{16,200}$' },
            },
          },
          response: { 200: keyView },
        },
      },
      async (req) => vault.store(req.params.label, req.body, req.user?.username ?? '?'),
    );

    app.delete<{ Params: { label: 'live' } }>(
      '/api/exchange-keys/:label',
      { schema: { summary: 'Remove a stored exchange key', params: labelParams } },
      async (req) => {
        if (!(await vault.remove(req.params.label, req.user?.username ?? '?')))
          throw new HttpError(404, `no stored key ${req.params.label}`);
        return { deleted: req.params.label };
      },
    );
  };
