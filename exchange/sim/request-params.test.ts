import { describe, expect, it } from 'vitest';
import { UpbitError } from './errors';
import { exchangeParams, quotationParams } from './request-params';

const errorName = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof UpbitError) return e.code;
    throw e;
  }
  return null;
};

describe('exchangeParams', () => {
  it('reads the query, then the body, and hashes both in that order', () => {
    const p = exchangeParams('DELETE', 'uuid=u1', '{"identifier":"i1"}', 'application/json');
    expect([...p.params]).toEqual([
      ['uuid', 'u1'],
      ['identifier', 'i1'],
    ]);
    expect(p.hashInput).toBe('uuid=u1&identifier=i1');
  });

  it('a form body is hashed as sent, percent-decoding undone, brackets and all', () => {
    const p = exchangeParams('GET', '', 'market=KRW-BTC&states%5B%5D=done&states%5B%5D=cancel', undefined);
    expect(p.params.getAll('states[]')).toEqual(['done', 'cancel']);
    expect(p.hashInput).toBe('market=KRW-BTC&states[]=done&states[]=cancel');
  });

  it('JSON arrays are repeated keys in the parameters and in the hash; nulls are absent', () => {
    const p = exchangeParams('GET', '', '{"uuids[]":["a","b"],"market":null}', 'application/json');
    expect(p.params.getAll('uuids[]')).toEqual(['a', 'b']);
    expect(p.params.has('market')).toBe(false);
    expect(p.hashInput).toBe('uuids[]=a&uuids[]=b&market=null');
  });

  it('no parameters anywhere: nothing to hash', () => {
    expect(exchangeParams('GET', '', '', undefined).hashInput).toBeNull();
    expect(exchangeParams('POST', '', '{}', 'application/json').hashInput).toBeNull();
  });

  it('POST query parameters become the order body; repeated comma-list keys one list', () => {
    const p = exchangeParams('POST', 'market=KRW-BTC&side=bid&volume=1e-4&price=100000000', '', undefined);
    expect(p.body).toEqual({ market: 'KRW-BTC', side: 'bid', volume: '0.0001', price: '100000000' });
    expect(p.hashInput).toBe('market=KRW-BTC&side=bid&volume=1e-4&price=100000000');
    const d = exchangeParams('DELETE', 'pairs=KRW-BTC&pairs=KRW-ETH', '', undefined);
    expect(d.params.getAll('pairs')).toEqual(['KRW-BTC,KRW-ETH']);
  });

  it('exponent amounts are written plainly in the body, hashed as sent', () => {
    const raw = '{"market":"KRW-BTC","volume":"7.146e-05","price":"1.4E8","identifier":"1e5"}';
    const p = exchangeParams('POST', '', raw, 'application/json');
    expect(p.body).toEqual({ market: 'KRW-BTC', volume: '0.00007146', price: '140000000', identifier: '1e5' });
    expect(p.hashInput).toBe('market=KRW-BTC&volume=7.146e-05&price=1.4E8&identifier=1e5');
  });

  it('refuses what could be read two ways: a name in both query and body, a form POST, nested objects, bad JSON', () => {
    expect(errorName(() => exchangeParams('DELETE', 'uuid=a', '{"uuid":"b"}', 'application/json'))).toBe(
      'validation_error',
    );
    expect(errorName(() => exchangeParams('GET', 'uuid=a', 'uuid=b', undefined))).toBe('validation_error');
    expect(errorName(() => exchangeParams('POST', '', 'market=KRW-BTC', 'application/x-www-form-urlencoded'))).toBe(
      'validation_error',
    );
    expect(errorName(() => exchangeParams('GET', '', '{"uuid":{"$ne":1}}', 'application/json'))).toBe(
      'validation_error',
    );
    expect(errorName(() => exchangeParams('GET', '', '{"uuid":', 'application/json'))).toBe('validation_error');
  });
});

describe('quotationParams', () => {
  it('joins repeated markets and lower-cases booleans; a non-boolean is a type mismatch', () => {
    const q = quotationParams('markets=KRW-BTC&markets=KRW-ETH&isDetails=True');
    expect(q.get('markets')).toBe('KRW-BTC,KRW-ETH');
    expect(q.get('isDetails')).toBe('true');
    expect(errorName(() => quotationParams('is_details=1'))).toBe(400);
  });
});
