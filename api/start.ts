// The API as a process serves it: built from the environment's settings and listening. Shared by the standalone
// API (api/main.ts) and the one-process launcher (workers/dev.ts), so both answer the same hosts, trust the same
// proxies and gate live mode the same way.
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { RuntimeConfig } from '../core/environment';
import type { TradingMode } from '../core/session/config';
import { keysFor } from '../exchange/provider';
import type { UpbitClient } from '../exchange/upbit/client';
import type { Database } from '../prisma/db';
import type { KeyVault } from '../security/vault';
import { buildApi } from './server';

export interface ApiParts {
  db: Database;
  temporal: Client;
  exchange: (mode: TradingMode) => UpbitClient;
  vault: KeyVault;
  masterKey: Buffer;
  /** Where the dashboard links workflows; the launcher knows its own dev server's UI. */
  temporalUiUrl?: string;
  /** The log level when LOG_LEVEL is unset. */
  defaultLogLevel: string;
}

export async function startApi(cfg: RuntimeConfig, parts: ApiParts): Promise<FastifyInstance> {
  const api = await buildApi(
    {
      db: parts.db,
      temporal: parts.temporal,
      exchange: parts.exchange,
      defaultMode: cfg.mode,
      temporalUiUrl: parts.temporalUiUrl ?? cfg.temporalUiUrl,
      namespace: cfg.temporalNamespace,
      masterKey: parts.masterKey,
      allowLive: cfg.allowLive,
      liveKeyAvailable: () =>
        keysFor('live', parts.vault)().then(
          () => true,
          () => false,
        ),
    },
    {
      logger: { level: cfg.logLevel || parts.defaultLogLevel },
      webDist: fileURLToPath(new URL('../web/dist', import.meta.url)),
      allowedHosts: cfg.apiHosts,
      rateLimits: cfg.rateLimits,
      trustProxy: cfg.trustProxy,
    },
  );
  await api.listen({ port: cfg.port, host: cfg.host });
  return api;
}
