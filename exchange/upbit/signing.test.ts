import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { authorizationHeader, encodedQueryString, hashedQueryString, queryHash } from './signing';

// Reference hashes computed outside the project with `printf '%s' '<string>' | sha512sum`.
const QUERY = 'market=KRW-BTC&states[]=wait&states[]=watch&to=2025-06-24T04:56:53+09:00&pairs=KRW-BTC,KRW-ETH';
const QUERY_SHA512 =
  '2a187991d6dd92a95ed0a927cd18ee2a1aae6b0f99b82f28a167ee111196deda762f3b21f0b7ed447c841442531d8d6a37db9509bec343bdfc766872be32a4c1';
const BODY = 'market=KRW-BTC&side=bid&volume=0.01&price=100000000&ord_type=limit';
const BODY_SHA512 =
  '04f10e7f849051645e088a4217a3e1f938268054df0e99b93ac74627b11f6931e501657d777720f9d19fc2a6649e3afc4a6e4e83ccf3d0569be6bde4633750dc';

const params = {
  market: 'KRW-BTC',
  states: ['wait', 'watch'],
  to: '2025-06-24T04:56:53+09:00',
  limit: undefined,
  pairs: 'KRW-BTC,KRW-ETH',
};

describe('query string rules', () => {
  it('hashes arrays as repeated key[] pairs, unencoded, in the order given, skipping undefined', () => {
    expect(hashedQueryString(params)).toBe(QUERY);
    expect(queryHash(params)).toBe(QUERY_SHA512);
  });

  it('hashes a POST body as k=v in body key order', () => {
    const body = { market: 'KRW-BTC', side: 'bid', volume: '0.01', price: '100000000', ord_type: 'limit' };
    expect(hashedQueryString(body)).toBe(BODY);
    expect(queryHash(body)).toBe(BODY_SHA512);
  });

  it('encodes the wire query but keeps array brackets literal', () => {
    expect(encodedQueryString(params)).toBe(
      'market=KRW-BTC&states[]=wait&states[]=watch&to=2025-06-24T04%3A56%3A53%2B09%3A00&pairs=KRW-BTC%2CKRW-ETH',
    );
    expect(encodedQueryString({ 'uuids[]': ['a b', 'c'] })).toBe('uuids[]=a%20b&uuids[]=c');
  });
});

describe('authorization header', () => {
  const keys = { accessKey: 'ak-1', secretKey: 'secret-not-base64==' };

  it('is an HS512 JWT over the raw secret with access_key, a UUID nonce and the query hash, and no iat', () => {
    const header = authorizationHeader(keys, params);
    expect(header.startsWith('Bearer ')).toBe(true);
    const token = header.slice('Bearer '.length);
    const decoded = jwt.verify(token, keys.secretKey, { algorithms: ['HS512'], complete: true });
    expect(decoded.header.alg).toBe('HS512');
    const claims = decoded.payload as Record<string, unknown>;
    expect(claims.access_key).toBe('ak-1');
    expect(claims.nonce).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(claims.query_hash).toBe(QUERY_SHA512);
    expect(claims.query_hash_alg).toBe('SHA512');
    expect(claims.iat).toBeUndefined();
  });

  it('leaves out the query hash when there are no parameters, and never repeats a nonce', () => {
    const a = jwt.decode(authorizationHeader(keys).slice(7)) as Record<string, unknown>;
    const b = jwt.decode(authorizationHeader(keys, { x: undefined }).slice(7)) as Record<string, unknown>;
    expect(a.query_hash).toBeUndefined();
    expect(b.query_hash).toBeUndefined();
    expect(a.nonce).not.toBe(b.nonce);
  });
});
