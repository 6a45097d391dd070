// Test-only Upbit client written straight from the published protocol (JWT, query_hash, JSON bodies),
// so the simulator's tests check it against the spec rather than against our own exchange/upbit client.
import { createHash, randomUUID } from 'node:crypto';
import axios, { type AxiosResponse } from 'axios';
import jwt from 'jsonwebtoken';

export interface TokenOptions {
  alg?: 'HS256' | 'HS512';
  nonce?: string;
  secret?: string;
  /** Overrides the computed query_hash. */
  hash?: string;
}

export interface AccountRow {
  currency: string;
  balance: string;
  locked: string;
  avg_buy_price: string;
}

export function specClient(baseUrl: string, accessKey: string, secretKey: string) {
  const token = (params: string | null, opts: TokenOptions = {}) => {
    const payload: Record<string, string> = { access_key: accessKey, nonce: opts.nonce ?? randomUUID() };
    if (params !== null) {
      payload.query_hash = opts.hash ?? createHash('sha512').update(params, 'utf8').digest('hex');
      payload.query_hash_alg = 'SHA512';
    }
    return jwt.sign(payload, opts.secret ?? secretKey, { algorithm: opts.alg ?? 'HS512', noTimestamp: true });
  };

  /** Signs and sends; a string `params` is a raw query (hashed as is, sent encoded). */
  const call = (
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    params?: Record<string, unknown> | string,
    opts: TokenOptions = {},
  ): Promise<AxiosResponse> => {
    let url = baseUrl + path;
    let data: unknown;
    let hashInput: string | null = null;
    if (method === 'POST') {
      data = params;
      if (params && typeof params === 'object' && Object.keys(params).length)
        hashInput = Object.entries(params)
          .map(([k, v]) => `${k}=${v}`)
          .join('&');
    } else if (typeof params === 'string') {
      hashInput = params;
      url += `?${encodeURI(params)}`;
    } else if (params) {
      hashInput = Object.entries(params)
        .map(([k, v]) => `${k}=${v}`)
        .join('&');
      url += `?${new URLSearchParams(params as Record<string, string>).toString()}`;
    }
    return axios.request({
      method,
      url,
      data,
      headers: { Authorization: `Bearer ${token(hashInput, opts)}` },
      validateStatus: () => true,
    });
  };

  const balances = async (): Promise<Record<string, AccountRow>> => {
    const r = await call('GET', '/v1/accounts');
    return Object.fromEntries((r.data as AccountRow[]).map((a) => [a.currency, a]));
  };

  return { token, call, balances };
}
