// The Upbit REST client: every quotation and exchange endpoint the trader uses, signed per request,
// paced per rate-limit group, with typed errors.
//
// Retries: only GETs are retried here (429, 5xx, timeouts, connection resets), with exponential backoff
// and jitter, because repeating a read changes nothing. POSTs and DELETEs are sent once: a timed-out
// order may or may not exist, so the caller decides from the error's `retryable` flag and, for orders,
// looks the order up by its `identifier` before trying again (the Order workflow does exactly that).
import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import Decimal from 'decimal.js';
import {
  Banned,
  errorFromResponse,
  MalformedResponse,
  NetworkError,
  type SentRequest,
  Timeout,
  type UpbitError,
} from './errors';
import { GroupBanned, parseBanDuration, RateLimiter, type RateLimitGroup, type SendTicket } from './rate-limit';
import { type ApiKeys, authorizationHeader, encodedQueryString, type Params } from './signing';
import type {
  Account,
  BatchCancelResult,
  CancelAndNewRequest,
  CancelAndNewResult,
  Candle,
  CandleUnit,
  CreateOrderRequest,
  MarketInfo,
  MinuteUnit,
  Order,
  Orderbook,
  OrderbookInstrument,
  OrderChance,
  OrderRef,
  OrderRefs,
  OrderState,
  OrderWithTrades,
  Ticker,
  TradeTick,
} from './types';

/** Reads the API keys at call time (from the key store); keys are never kept in workflow inputs. */
export type KeyProvider = () => Promise<ApiKeys>;

export interface UpbitLogger {
  warn(obj: object, msg: string): void;
}

export interface UpbitClientOptions {
  /** `https://<host>/v1` or the simulator's base URL; a trailing `/v1` is optional. */
  baseUrl: string;
  keys?: KeyProvider;
  /** Per request; default 10 s. */
  timeoutMs?: number;
  logger?: UpbitLogger;
  /** Share one limiter between clients that share an IP or pocket. */
  limiter?: RateLimiter;
  /** Extra attempts for a failed GET; default 3. */
  maxRetries?: number;
  /** First backoff step in ms; default 200 (doubles per attempt, capped at 5 s, with jitter). */
  retryBaseMs?: number;
}

type Method = 'GET' | 'POST' | 'DELETE';

interface Call {
  method: Method;
  path: string;
  group: RateLimitGroup;
  /** Query parameters (GET, DELETE) or the JSON body (POST), in wire order. */
  params?: Params;
  auth: boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `to` for candles: ISO 8601 UTC to the second. A Date with milliseconds is rounded up, since `to` is exclusive. */
export function candleTo(to: string | Date): string {
  if (typeof to === 'string') return to;
  const ms = to.getTime();
  return new Date(Math.ceil(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function timeParam(value: string | number | Date | undefined): string | number | undefined {
  return value instanceof Date ? value.getTime() : value;
}

function refParams(ref: OrderRef): Params {
  return ref.uuid !== undefined ? { uuid: ref.uuid } : { identifier: ref.identifier };
}

function refsParams(refs: OrderRefs): Params {
  return refs.uuids !== undefined ? { 'uuids[]': refs.uuids } : { 'identifiers[]': refs.identifiers };
}

export class UpbitClient {
  readonly limiter: RateLimiter;
  private readonly origin: string;
  private readonly keys?: KeyProvider;
  private readonly logger?: UpbitLogger;
  private readonly http: AxiosInstance;
  private readonly maxRetries: number;
  private readonly retryBaseMs: number;

  constructor(opts: UpbitClientOptions) {
    this.origin = opts.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
    this.keys = opts.keys;
    this.logger = opts.logger;
    this.limiter = opts.limiter ?? new RateLimiter();
    this.maxRetries = opts.maxRetries ?? 3;
    this.retryBaseMs = opts.retryBaseMs ?? 200;
    this.http = axios.create({
      timeout: opts.timeoutMs ?? 10_000,
      responseType: 'text',
      // Keep the raw text: error bodies (429 plain text) and our own JSON parsing with a clear error.
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      headers: { Accept: 'application/json' },
      // Upbit's API never redirects; without redirect support axios uses node:http directly, which
      // roughly halves its per-request cost. Keep-alive sockets avoid a handshake per call.
      maxRedirects: 0,
      httpAgent: new http.Agent({ keepAlive: true }),
      httpsAgent: new https.Agent({ keepAlive: true }),
    });
  }

  // --- Quotation ---

  markets(opts: { details?: boolean } = {}): Promise<MarketInfo[]> {
    return this.send({
      method: 'GET',
      path: '/v1/market/all',
      group: 'market',
      params: { is_details: opts.details ? true : undefined },
      auth: false,
    });
  }

  candles(req: {
    market: string;
    unit: CandleUnit;
    minutes?: MinuteUnit;
    to?: string | Date;
    count?: number;
  }): Promise<Candle[]> {
    if (req.unit === 'minutes' && req.minutes === undefined) {
      throw new TypeError('candles: unit "minutes" needs minutes (1, 3, 5, 10, 15, 30, 60 or 240)');
    }
    const path = req.unit === 'minutes' ? `/v1/candles/minutes/${req.minutes}` : `/v1/candles/${req.unit}`;
    return this.send({
      method: 'GET',
      path,
      group: 'candle',
      params: { market: req.market, to: req.to === undefined ? undefined : candleTo(req.to), count: req.count },
      auth: false,
    });
  }

  ticker(markets: string[]): Promise<Ticker[]> {
    return this.send({
      method: 'GET',
      path: '/v1/ticker',
      group: 'ticker',
      params: { markets: markets.join(',') },
      auth: false,
    });
  }

  /** Tickers of every market quoted in the given currencies (default KRW). */
  tickerAll(quoteCurrencies: string[] = ['KRW']): Promise<Ticker[]> {
    return this.send({
      method: 'GET',
      path: '/v1/ticker/all',
      group: 'ticker',
      params: { quote_currencies: quoteCurrencies.join(',') },
      auth: false,
    });
  }

  /** The authoritative tick size (and grouping levels) per market. */
  orderbookInstruments(markets: string[]): Promise<OrderbookInstrument[]> {
    return this.send({
      method: 'GET',
      path: '/v1/orderbook/instruments',
      group: 'orderbook',
      params: { markets: markets.join(',') },
      auth: false,
    });
  }

  orderbook(markets: string[], opts: { level?: number | string; count?: number } = {}): Promise<Orderbook[]> {
    return this.send({
      method: 'GET',
      path: '/v1/orderbook',
      group: 'orderbook',
      params: { markets: markets.join(','), level: opts.level, count: opts.count },
      auth: false,
    });
  }

  /** Recent trades, newest first. `to` is `HHmmss` UTC within the day; `cursor` a `sequential_id` to page older. */
  trades(req: {
    market: string;
    count?: number;
    cursor?: string | number;
    daysAgo?: number;
    to?: string;
  }): Promise<TradeTick[]> {
    return this.send({
      method: 'GET',
      path: '/v1/trades/ticks',
      group: 'trade',
      params: { market: req.market, to: req.to, count: req.count, cursor: req.cursor, days_ago: req.daysAgo },
      auth: false,
    });
  }

  // --- Exchange: reads ---

  accounts(): Promise<Account[]> {
    return this.send({ method: 'GET', path: '/v1/accounts', group: 'default', auth: true });
  }

  chance(market: string): Promise<OrderChance> {
    return this.send({ method: 'GET', path: '/v1/orders/chance', group: 'default', params: { market }, auth: true });
  }

  getOrder(ref: OrderRef): Promise<OrderWithTrades> {
    return this.send({ method: 'GET', path: '/v1/order', group: 'default', params: refParams(ref), auth: true });
  }

  openOrders(
    req: {
      market?: string;
      states?: Array<'wait' | 'watch'>;
      page?: number;
      limit?: number;
      orderBy?: 'asc' | 'desc';
    } = {},
  ): Promise<Order[]> {
    return this.send({
      method: 'GET',
      path: '/v1/orders/open',
      group: 'default',
      params: {
        market: req.market,
        'states[]': req.states,
        page: req.page,
        limit: req.limit,
        order_by: req.orderBy,
      },
      auth: true,
    });
  }

  /** Done and cancelled orders. Times: ISO 8601 with offset, or ms epoch (a Date is sent as ms epoch). Window ≤ 7 days. */
  closedOrders(
    req: {
      market?: string;
      states?: Array<Extract<OrderState, 'done' | 'cancel'>>;
      startTime?: string | number | Date;
      endTime?: string | number | Date;
      limit?: number;
      orderBy?: 'asc' | 'desc';
    } = {},
  ): Promise<Order[]> {
    return this.send({
      method: 'GET',
      path: '/v1/orders/closed',
      group: 'default',
      params: {
        market: req.market,
        'states[]': req.states,
        start_time: timeParam(req.startTime),
        end_time: timeParam(req.endTime),
        limit: req.limit,
        order_by: req.orderBy,
      },
      auth: true,
    });
  }

  ordersByIds(refs: OrderRefs & { market?: string; orderBy?: 'asc' | 'desc' }): Promise<Order[]> {
    return this.send({
      method: 'GET',
      path: '/v1/orders/uuids',
      group: 'default',
      params: { market: refs.market, ...refsParams(refs), order_by: refs.orderBy },
      auth: true,
    });
  }

  // --- Exchange: orders (sent once; see the note at the top) ---

  createOrder(req: CreateOrderRequest): Promise<Order> {
    return this.send({ method: 'POST', path: '/v1/orders', group: 'order', params: orderBody(req), auth: true });
  }

  /** Same checks and reply as `createOrder`, but nothing is created. */
  testOrder(req: CreateOrderRequest): Promise<Order> {
    return this.send({
      method: 'POST',
      path: '/v1/orders/test',
      group: 'order-test',
      params: orderBody(req),
      auth: true,
    });
  }

  /** Cancel accepted; the returned order is typically still `wait`. */
  cancelOrder(ref: OrderRef): Promise<Order> {
    return this.send({ method: 'DELETE', path: '/v1/order', group: 'default', params: refParams(ref), auth: true });
  }

  cancelOrders(refs: OrderRefs): Promise<BatchCancelResult> {
    return this.send({
      method: 'DELETE',
      path: '/v1/orders/uuids',
      group: 'default',
      params: refsParams(refs),
      auth: true,
    });
  }

  /** Cancels resting (`wait`) orders in bulk; limited to one call per 2 s. */
  cancelOpenOrders(
    req: {
      cancelSide?: 'all' | 'bid' | 'ask';
      pairs?: string[];
      quoteCurrencies?: string[];
      excludedPairs?: string[];
      count?: number;
      orderBy?: 'asc' | 'desc';
    } = {},
  ): Promise<BatchCancelResult> {
    return this.send({
      method: 'DELETE',
      path: '/v1/orders/open',
      group: 'order-cancel-all',
      params: {
        cancel_side: req.cancelSide,
        pairs: req.pairs?.join(','),
        quote_currencies: req.quoteCurrencies?.join(','),
        excluded_pairs: req.excludedPairs?.join(','),
        count: req.count,
        order_by: req.orderBy,
      },
      auth: true,
    });
  }

  cancelAndNew(req: CancelAndNewRequest): Promise<CancelAndNewResult> {
    const body: Params = {
      prev_order_uuid: req.prev_order_uuid,
      prev_order_identifier: req.prev_order_identifier,
      new_ord_type: req.new_ord_type,
      new_volume: req.new_volume === 'remain_only' ? req.new_volume : fixedAmount(req.new_volume),
      new_price: fixedAmount(req.new_price),
      new_identifier: req.new_identifier,
      new_time_in_force: req.new_time_in_force,
      new_smp_type: req.new_smp_type,
    };
    return this.send({ method: 'POST', path: '/v1/orders/cancel_and_new', group: 'order', params: body, auth: true });
  }

  // --- Transport ---

  private async send<T>(call: Call): Promise<T> {
    const retries = call.method === 'GET' ? this.maxRetries : 0;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.sendOnce<T>(call);
      } catch (err) {
        const error = err as UpbitError;
        // A ban lasts far longer than any backoff here: hand it to the caller at once.
        if (!error.retryable || error instanceof Banned || attempt >= retries) throw error;
        const delay = Math.min(5000, this.retryBaseMs * 2 ** attempt) * (0.5 + Math.random() / 2);
        this.logger?.warn(
          { err: error.message, attempt: attempt + 1, delayMs: Math.round(delay) },
          'upbit: retrying read',
        );
        await sleep(delay);
      }
    }
  }

  private async sendOnce<T>(call: Call): Promise<T> {
    const sent: SentRequest = { method: call.method, path: call.path, params: visibleParams(call.params) };
    let ticket: SendTicket;
    try {
      ticket = await this.limiter.acquire(call.group);
    } catch (err) {
      if (!(err instanceof GroupBanned)) throw err;
      const banned = new Banned({ request: sent, upbitMessage: `not sent: ${err.message}` });
      banned.bannedUntil = err.bannedUntil;
      throw banned;
    }

    let res: AxiosResponse<string> | undefined;
    try {
      res = await this.transmit(call, sent);
    } finally {
      this.limiter.done(ticket, res ? header(res, 'remaining-req') : undefined);
    }
    return this.parseReply<T>(call, sent, res);
  }

  /** Signs and sends one request; transport failures become `Timeout` or `NetworkError`. */
  private async transmit(call: Call, sent: SentRequest): Promise<AxiosResponse<string>> {
    const query = call.method !== 'POST' && call.params ? encodedQueryString(call.params) : '';
    const url = `${this.origin}${call.path}${query ? `?${query}` : ''}`;
    const headers: Record<string, string> = {};
    if (call.auth) {
      if (!this.keys) throw new TypeError(`${call.method} ${call.path} needs API keys; none were given to UpbitClient`);
      let keys: ApiKeys;
      try {
        keys = await this.keys();
      } catch (err) {
        throw new Error(`${call.method} ${call.path} not sent: the key provider failed`, { cause: err });
      }
      headers.Authorization = authorizationHeader(keys, call.params);
    }
    let data: string | undefined;
    if (call.method === 'POST') {
      headers['Content-Type'] = 'application/json; charset=utf-8';
      data = JSON.stringify(call.params ?? {});
    }
    try {
      return await this.http.request<string>({ method: call.method, url, headers, data });
    } catch (err) {
      const code = (err as { code?: string }).code;
      const cause = err instanceof Error ? err.message : String(err);
      // Axios' error holds the request config and socket, Authorization header included: keep only
      // its message and code, so no log line or stored error can carry a signed token.
      const safe = Object.assign(new Error(cause), { code });
      if (code === 'ECONNABORTED' || code === 'ETIMEDOUT')
        throw new Timeout({ request: sent, upbitMessage: cause, cause: safe });
      throw new NetworkError({ request: sent, upbitMessage: `${code ?? ''} ${cause}`.trim(), cause: safe });
    }
  }

  /** The parsed body of a 2xx reply, or the typed error; 429 and 418 also steer the limiter. */
  private parseReply<T>(call: Call, sent: SentRequest, res: AxiosResponse<string>): T {
    const body = typeof res.data === 'string' ? res.data : String(res.data ?? '');
    if (res.status >= 200 && res.status < 300) {
      try {
        return JSON.parse(body) as T;
      } catch (err) {
        throw new MalformedResponse({
          request: sent,
          httpStatus: res.status,
          upbitMessage: body.slice(0, 200),
          cause: err,
        });
      }
    }

    const error = errorFromResponse(sent, res.status, body);
    if (res.status === 429) {
      const pauseMs = this.limiter.tooManyRequests(call.group);
      this.logger?.warn({ group: call.group, pauseMs, path: call.path }, 'upbit: 429, pausing rate-limit group');
    } else if (error instanceof Banned) {
      const until = Date.now() + parseBanDuration(header(res, 'retry-after'), body);
      this.limiter.ban(call.group, until);
      error.bannedUntil = until;
      this.logger?.warn(
        { group: call.group, bannedUntil: new Date(until).toISOString(), path: call.path, alert: true },
        'upbit: 418, rate-limit group banned',
      );
    }
    throw error;
  }
}

function header(res: AxiosResponse, name: string): string | undefined {
  const value = res.headers[name];
  return value === undefined || value === null ? undefined : String(value);
}

/** Parameters as shown in error messages: the request's own fields only (keys and tokens never are params). */
function visibleParams(params: Params | undefined): Record<string, unknown> | undefined {
  if (!params) return undefined;
  const shown: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined) shown[k] = v;
  return shown;
}

/**
 * An amount as Upbit reads it: plain decimal digits. decimal.js writes amounts under 1e-7 as `5e-8`,
 * which Upbit rejects, so every price and volume is rewritten here, where all of them leave.
 */
function fixedAmount(amount: string | undefined): string | undefined {
  if (amount === undefined) return undefined;
  let value: Decimal;
  try {
    value = new Decimal(amount);
  } catch {
    throw new TypeError(`order amount "${amount}" is not a decimal number; nothing was sent`);
  }
  return value.toFixed();
}

/** The order body in Upbit's documented key order (the query hash follows body key order). */
function orderBody(req: CreateOrderRequest): Params {
  return {
    market: req.market,
    side: req.side,
    volume: fixedAmount(req.volume),
    price: fixedAmount(req.price),
    ord_type: req.ord_type,
    time_in_force: req.time_in_force,
    smp_type: req.smp_type,
    identifier: req.identifier,
  };
}
