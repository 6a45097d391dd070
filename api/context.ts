import type { Client } from '@temporalio/client';
import type { TradingMode } from '../core/session/config';
import type { UpbitClient } from '../exchange/upbit/client';
import type { Database } from '../prisma/db';

/** What the API's routes are built with. */
export interface ApiContext {
  db: Database;
  temporal: Client;
  exchange: (mode: TradingMode) => UpbitClient;
  /** The mode new sessions get unless the request says otherwise. */
  defaultMode: TradingMode;
  temporalUiUrl?: string;
  namespace: string;
  /** The master key (security/master-key.ts): token signing and the vault derive their keys from it. */
  masterKey: Buffer;
  /** Whether the server was started with ALLOW_LIVE=1: without it (the default) no live session starts. */
  allowLive?: boolean;
  /** Whether an Upbit key for live trading is at hand (vault or environment); none by default. */
  liveKeyAvailable?: () => Promise<boolean>;
}

/** An error a route throws on purpose: its status and message reach the client as they are. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}
