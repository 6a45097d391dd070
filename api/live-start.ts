// Starting a live session takes two steps: an admin asks for a confirmation of exactly the config
// that will run (a short-lived token bound to that admin and the config's hash), then starts it with
// the token and the session's name typed again. The start writes a live_confirmations row that the
// worker's submit activity checks before every live order.
import { createHash, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { SessionConfig } from '../core/session/config';
import { deriveKey } from '../security/master-key';
import type { AuthUser } from './auth';
import { type ApiContext, HttpError } from './context';

export const LIVE_CONFIRMATION_TTL_SEC = 120;

export function configHash(cfg: SessionConfig): string {
  return createHash('sha256').update(JSON.stringify(cfg)).digest('hex');
}

export class LiveConfirmations {
  private readonly secret: Buffer;
  constructor(masterKey: Buffer) {
    this.secret = deriveKey(masterKey, 'live-confirmation');
  }

  issue(user: AuthUser, cfg: SessionConfig) {
    const confirmationToken = jwt.sign({ typ: 'live-confirmation', cfg: configHash(cfg) }, this.secret, {
      algorithm: 'HS256',
      subject: user.id,
      jwtid: randomUUID(),
      expiresIn: LIVE_CONFIRMATION_TTL_SEC,
    });
    return { confirmationToken, expiresInSec: LIVE_CONFIRMATION_TTL_SEC };
  }

  /** The token's id when it was issued to this admin for exactly this config and has not expired. */
  verify(token: string, user: AuthUser, cfg: SessionConfig): { tokenId: string; configHash: string } {
    let claims: jwt.JwtPayload;
    try {
      claims = jwt.verify(token, this.secret, { algorithms: ['HS256'] }) as jwt.JwtPayload;
    } catch (err) {
      throw new HttpError(
        403,
        err instanceof jwt.TokenExpiredError
          ? 'confirmationToken: expired; ask for a new confirmation'
          : 'confirmationToken: invalid',
      );
    }
    const hash = configHash(cfg);
    if (claims.typ !== 'live-confirmation' || claims.sub !== user.id || typeof claims.jti !== 'string')
      throw new HttpError(403, 'confirmationToken: not issued to this user');
    if (claims.cfg !== hash)
      throw new HttpError(403, 'confirmationToken: it confirmed another config; ask for a new confirmation');
    return { tokenId: claims.jti, configHash: hash };
  }
}

/** The server-wide gates of live trading: ALLOW_LIVE=1 at start and an Upbit key to trade with. */
export async function assertLiveAllowed(ctx: ApiContext): Promise<void> {
  if (!ctx.allowLive) throw new HttpError(403, 'live trading is off on this server: start it with ALLOW_LIVE=1');
  if (!(await ctx.liveKeyAvailable?.()))
    throw new HttpError(409, 'live trading needs an Upbit key: store one with PUT /api/exchange-keys/live');
}
