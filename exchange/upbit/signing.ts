// How Upbit signs a request: the query string that is hashed, the one that is sent, and the JWT.
// Kept apart from the client so the simulator (or anyone) can check against the very same rules.
import { createHash, createSecretKey, type KeyObject, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';

/** A query or body parameter. Arrays are sent as repeated `key[]=value` pairs. */
export type ParamValue = string | number | boolean | ReadonlyArray<string> | undefined;
/** Parameters in the order they are sent; `undefined` values are left out. */
export type Params = Readonly<Record<string, ParamValue>>;

export interface ApiKeys {
  accessKey: string;
  secretKey: string;
}

/** Ordered `[key, value]` pairs as they go on the wire; array values become `key[]` repeats. */
export function paramPairs(params: Params): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      const arrayKey = key.endsWith('[]') ? key : `${key}[]`;
      for (const item of value) pairs.push([arrayKey, String(item)]);
    } else {
      pairs.push([key, String(value)]);
    }
  }
  return pairs;
}

/**
 * The string Upbit hashes into `query_hash`: `k=v&k[]=a&k[]=b`, same order as sent, NOT URL-encoded.
 * For a POST the JSON body's keys and values are joined the same way, in body key order.
 */
export function hashedQueryString(params: Params): string {
  return paramPairs(params)
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** The wire form: every key and value URL-encoded except the `[]` of array keys, which Upbit expects literal. */
export function encodedQueryString(params: Params): string {
  return paramPairs(params)
    .map(([k, v]) => `${encodeURIComponent(k).replace(/%5B%5D$/, '[]')}=${encodeURIComponent(v)}`)
    .join('&');
}

/** Lowercase hex SHA-512 of the hashed query string. */
export function queryHash(params: Params): string {
  return createHash('sha512').update(hashedQueryString(params), 'utf8').digest('hex');
}

export interface JwtPayload {
  access_key: string;
  nonce: string;
  query_hash?: string;
  query_hash_alg?: 'SHA512';
}

/** The claims Upbit expects: access key, a fresh UUID nonce, and the query hash when there are parameters. */
export function jwtPayload(accessKey: string, params?: Params, nonce: string = randomUUID()): JwtPayload {
  const payload: JwtPayload = { access_key: accessKey, nonce };
  if (params && paramPairs(params).length > 0) {
    payload.query_hash = queryHash(params);
    payload.query_hash_alg = 'SHA512';
  }
  return payload;
}

// jsonwebtoken turns a string secret into a KeyObject on every call, which costs about ten times the
// signing itself; the last secret's KeyObject is kept (keys rarely change within a process).
let lastSecret: { secret: string; key: KeyObject } | undefined;
function secretKeyObject(secret: string): KeyObject {
  if (lastSecret?.secret !== secret) lastSecret = { secret, key: createSecretKey(Buffer.from(secret, 'utf8')) };
  return lastSecret.key;
}

/**
 * `Authorization` header value for one request. HS512 as the docs recommend; the secret is used as raw
 * UTF-8 bytes (never base64-decoded); no `iat`, because Upbit guards replay with the nonce alone.
 */
export function authorizationHeader(keys: ApiKeys, params?: Params): string {
  const token = jwt.sign(jwtPayload(keys.accessKey, params), secretKeyObject(keys.secretKey), {
    algorithm: 'HS512',
    noTimestamp: true,
  });
  return `Bearer ${token}`;
}
