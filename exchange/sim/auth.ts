import { createHash, createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { SimKey } from './accounts';
import { exchangeError } from './errors';

/** Remembers used nonces per access key; bounded so a long run cannot grow without end. */
export class NonceBook {
  private readonly used = new Map<string, Set<string>>();
  constructor(private readonly maxPerKey = 1_000_000) {}

  /** Returns false when the nonce was already used by this key. */
  claim(accessKey: string, nonce: string): boolean {
    let set = this.used.get(accessKey);
    if (!set) {
      set = new Set();
      this.used.set(accessKey, set);
    }
    if (set.has(nonce)) return false;
    if (set.size >= this.maxPerKey) set.delete(set.values().next().value as string);
    set.add(nonce);
    return true;
  }
}

/** HMAC keys by secret: building a KeyObject per request costs more than the verification itself. */
const keyObjects = new Map<string, KeyObject>();
function hmacKey(secret: string): KeyObject {
  let k = keyObjects.get(secret);
  if (!k) {
    // The secret is used as raw UTF-8 bytes, never base64-decoded.
    k = createSecretKey(Buffer.from(secret, 'utf8'));
    keyObjects.set(secret, k);
  }
  return k;
}

/** The string Upbit hashes for a query string (or a form body): exactly as sent, percent-decoding undone. */
export function hashInputOfQuery(rawQuery: string): string {
  try {
    return decodeURIComponent(rawQuery);
  } catch {
    return rawQuery;
  }
}

/** The string Upbit hashes for a JSON body: every key as k=v (arrays as repeated keys), joined by &, in the body's key order. */
export function hashInputOfBody(body: Record<string, unknown>): string {
  return Object.entries(body)
    .flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => `${k}=${String(x)}`) : [`${k}=${String(v)}`]))
    .join('&');
}

export function sha512Hex(s: string): string {
  return createHash('sha512').update(s, 'utf8').digest('hex');
}

/**
 * Checks an `Authorization: Bearer <JWT>` header as Upbit does and returns the key it belongs to.
 * `hashInput` is the string the request's query_hash must cover, or null when the request has no
 * parameters. Throws the Upbit error otherwise.
 */
export function authenticate(
  header: string | undefined,
  hashInput: string | null,
  findKey: (accessKey: string) => SimKey | undefined,
  nonces: NonceBook,
): SimKey {
  if (!header) throw exchangeError.noAuthorizationToken();
  const m = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!m) throw exchangeError.jwtVerification();
  const token = m[1];
  const decoded = jwt.decode(token, { complete: true });
  if (!decoded || typeof decoded.payload !== 'object' || decoded.payload === null)
    throw exchangeError.jwtVerification();
  const alg = decoded.header.alg;
  if (alg !== 'HS256' && alg !== 'HS512') throw exchangeError.jwtVerification();
  const payload = decoded.payload as Record<string, unknown>;
  if (typeof payload.access_key !== 'string') throw exchangeError.invalidQueryPayload();
  const key = findKey(payload.access_key);
  if (!key) throw exchangeError.invalidAccessKey();
  try {
    jwt.verify(token, hmacKey(key.secretKey), { algorithms: [alg], ignoreExpiration: true });
  } catch {
    throw exchangeError.jwtVerification();
  }
  if (typeof payload.nonce !== 'string' || payload.nonce.length === 0) throw exchangeError.invalidQueryPayload();
  if (!nonces.claim(key.accessKey, payload.nonce)) throw exchangeError.nonceUsed();
  if (hashInput !== null) {
    if (typeof payload.query_hash !== 'string') throw exchangeError.invalidQueryPayload();
    const alg2 = payload.query_hash_alg ?? 'SHA512';
    if (alg2 !== 'SHA512') throw exchangeError.invalidQueryPayload();
    if (payload.query_hash.toLowerCase() !== sha512Hex(hashInput)) throw exchangeError.invalidQueryPayload();
  }
  return key;
}
