/**
 * Faults the simulator injects on demand (admin API `/admin/faults` or `SIM_FAULTS` JSON). All default to
 * off. Times are in the simulator's clock (wall time unless a replay runs faster).
 */
export interface FaultConfig {
  /** Added to every REST reply, in ms. */
  latencyMs?: number;
  /** Random extra latency up to this many ms. */
  latencyJitterMs?: number;
  /** Share (0..1) of REST requests answered 500 (drawn from the simulator's seed). */
  errorRate?: number;
  /** The next N REST requests are answered 429, whatever the budget. */
  burst429?: number;
  /** Share (0..1) of WebSocket connections dropped on each tick. */
  wsDropRate?: number;
  /** New orders are accepted but not matched for this many ms. */
  stallFillsMs?: number;
  /** The next REST request is answered 418 and its group and scope stay blocked this many seconds. */
  ban418Seconds?: number;
  /**
   * A cancel (DELETE /v1/order, /v1/orders/uuids, /v1/orders/open) is acknowledged at once, as Upbit does,
   * but takes effect only this many ms later: until then the order stays `wait` and keeps filling.
   */
  cancelDelayMs?: number;
  /**
   * A new order is invisible to lookups (GET /v1/order by uuid or identifier, /v1/orders/open, /closed,
   * /uuids) for this many ms after creation: GET /v1/order answers 404 order_not_found, lists omit it.
   */
  lookupLagMs?: number;
  /** Markets in maintenance: new orders there are refused with 403 market_offline; quotation still answers. */
  marketOffline?: string[];
  /**
   * Share (0..1) of executed order writes (POST /v1/orders, /v1/orders/cancel_and_new and the cancels)
   * whose reply is lost: the order is placed or cancelled, the client sees `lostReplyMode`.
   */
  lostReplyRate?: number;
  /** The next N executed order writes lose their reply (as `lostReplyRate`). */
  loseNextReplies?: number;
  /** What a lost reply looks like: `500` (internal_server_error), `timeout` (no answer), `reset` (connection cut). */
  lostReplyMode?: FailureMode;
  /**
   * A full outage of this many seconds from when it is set: every REST call fails as `outageMode`, WebSocket
   * connections are dropped and new ones refused. The admin API keeps working (DELETE ends it early).
   */
  outageSeconds?: number;
  /** How REST calls fail during an outage (default `500`). */
  outageMode?: FailureMode;
}

/** How a request fails: a 500 reply, no reply at all (the client times out), or the connection cut. */
export type FailureMode = '500' | 'timeout' | 'reset';
const FAILURE_MODES: readonly FailureMode[] = ['500', 'timeout', 'reset'];

type Kind = 'number' | 'share' | 'count' | 'markets' | 'mode';
const KINDS: Record<keyof FaultConfig, Kind> = {
  latencyMs: 'number',
  latencyJitterMs: 'number',
  errorRate: 'share',
  burst429: 'count',
  wsDropRate: 'share',
  stallFillsMs: 'number',
  ban418Seconds: 'number',
  cancelDelayMs: 'number',
  lookupLagMs: 'number',
  marketOffline: 'markets',
  lostReplyRate: 'share',
  loseNextReplies: 'count',
  lostReplyMode: 'mode',
  outageSeconds: 'number',
  outageMode: 'mode',
};
const MARKET_RE = /^[A-Z]{2,10}-[A-Z0-9]{1,20}$/;

function parseValue(key: string, kind: Kind, v: unknown): unknown {
  switch (kind) {
    case 'markets': {
      if (!Array.isArray(v) || v.some((m) => typeof m !== 'string' || !MARKET_RE.test(m)))
        throw new Error(`fault "${key}" must be a list of market codes such as ["KRW-BTC"]`);
      return [...new Set(v as string[])];
    }
    case 'mode':
      if (typeof v !== 'string' || !FAILURE_MODES.includes(v as FailureMode))
        throw new Error(`fault "${key}" must be one of ${FAILURE_MODES.map((m) => `"${m}"`).join(', ')}`);
      return v;
    default:
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
        throw new Error(`fault "${key}" must be a number >= 0`);
      if (kind === 'share' && v > 1) throw new Error(`fault "${key}" is a share between 0 and 1`);
      if (kind === 'count' && !Number.isInteger(v)) throw new Error(`fault "${key}" must be a whole number`);
      return v;
  }
}

/** Validates a fault configuration from JSON; throws naming the offending key. */
export function parseFaults(input: unknown): FaultConfig {
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    throw new Error('faults must be a JSON object');
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined || v === null) continue;
    const kind = KINDS[k as keyof FaultConfig];
    if (!kind) throw new Error(`unknown fault "${k}" (known: ${Object.keys(KINDS).join(', ')})`);
    out[k] = parseValue(k, kind, v);
  }
  return out as FaultConfig;
}

export function faultsFromEnv(env: NodeJS.ProcessEnv = process.env): FaultConfig {
  if (!env.SIM_FAULTS) return {};
  let json: unknown;
  try {
    json = JSON.parse(env.SIM_FAULTS);
  } catch {
    throw new Error('SIM_FAULTS is not valid JSON');
  }
  try {
    return parseFaults(json);
  } catch (e) {
    throw new Error(`SIM_FAULTS: ${(e as Error).message}`);
  }
}
