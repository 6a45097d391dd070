// Pacing per Upbit rate-limit group, so that normal operation never meets a 429.
// Each group is held to its documented per-second limit and, tighter still, to the
// `Remaining-Req: group=…; sec=N` budget of the last reply, which also counts calls made by other
// processes sharing the IP or pocket.
// The server counts a call when it receives it, somewhere between our send and its reply; under load
// that point can drift by hundreds of ms. So a call occupies the budget from its send until one window
// after its reply: any window of the server's can then hold no more than `limit` of our calls.

export type RateLimitGroup =
  | 'market'
  | 'candle'
  | 'trade'
  | 'ticker'
  | 'orderbook'
  | 'default'
  | 'order'
  | 'order-test'
  | 'order-cancel-all';

/** Documented limits as [calls, per milliseconds]. `order` is 12/s since 2026-08-21. */
export const DOCUMENTED_LIMITS: Readonly<Record<RateLimitGroup, readonly [number, number]>> = {
  market: [10, 1000],
  candle: [10, 1000],
  trade: [10, 1000],
  ticker: [10, 1000],
  orderbook: [10, 1000],
  default: [30, 1000],
  order: [12, 1000],
  'order-test': [8, 1000],
  'order-cancel-all': [1, 2000],
};

/** `Remaining-Req: group=default; min=1800; sec=29` -> { group, sec }. `min` is deprecated and ignored. */
export function parseRemainingReq(header: string | undefined): { group: string; sec: number } | undefined {
  if (!header) return undefined;
  const group = /group=([a-z-]+)/i.exec(header)?.[1];
  const sec = /sec=(\d+)/i.exec(header)?.[1];
  if (!group || sec === undefined) return undefined;
  return { group: group.toLowerCase(), sec: Number(sec) };
}

export interface RateLimiterOptions {
  limits?: Partial<Record<RateLimitGroup, readonly [number, number]>>;
  /** Extra milliseconds added to each window, for clock and network jitter between us and the server. */
  marginMs?: number;
  now?: () => number;
}

interface GroupState {
  limit: number;
  windowMs: number;
  /** Calls still occupying the budget: in flight, or answered less than one window ago. */
  sends: SentCall[];
  /** Calls sent and not yet answered. */
  inFlight: number;
  /**
   * What the server last said: `remaining` calls left until `until`; `used` counts the calls that may
   * not have been in its count (in flight when it answered, or sent since).
   */
  server?: { remaining: number; used: number; until: number };
  pausedUntil: number;
  /** Consecutive 429s, for exponential pause. */
  strikes: number;
  bannedUntil: number;
}

interface SentCall {
  at: number;
  /** When the reply (or failure) came; undefined while in flight. */
  doneAt?: number;
}

/** One sent call, from `acquire` to `done`. */
export interface SendTicket {
  group: string;
  at: number;
  call: SentCall;
}

/** While every call in the budget is still in flight, how often to look again. */
const IN_FLIGHT_POLL_MS = 10;

/** Thrown by `acquire` while a group is banned (418). The client turns it into a `Banned` error. */
export class GroupBanned extends Error {
  constructor(
    readonly group: string,
    readonly bannedUntil: number,
  ) {
    super(`rate-limit group "${group}" is banned until ${new Date(bannedUntil).toISOString()}`);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One limiter per client or shared by every client using the same IP and pocket. */
export class RateLimiter {
  private readonly groups = new Map<string, GroupState>();
  private readonly marginMs: number;
  private readonly now: () => number;
  private readonly limits: Record<string, readonly [number, number]>;

  constructor(opts: RateLimiterOptions = {}) {
    this.marginMs = opts.marginMs ?? 30;
    this.now = opts.now ?? Date.now;
    this.limits = { ...DOCUMENTED_LIMITS, ...opts.limits };
  }

  private state(group: string): GroupState {
    let state = this.groups.get(group);
    if (!state) {
      const [limit, windowMs] = this.limits[group] ?? DOCUMENTED_LIMITS.default;
      state = { limit, windowMs, sends: [], inFlight: 0, pausedUntil: 0, strikes: 0, bannedUntil: 0 };
      this.groups.set(group, state);
    }
    return state;
  }

  /** Milliseconds to wait before the next call in this group may be sent (0 = now). */
  delayFor(group: string): number {
    const s = this.state(group);
    const now = this.now();
    if (s.bannedUntil > now) throw new GroupBanned(group, s.bannedUntil);
    const window = s.windowMs + this.marginMs;
    if (s.sends.length > 0 && s.sends.some((c) => c.doneAt !== undefined && c.doneAt <= now - window)) {
      s.sends = s.sends.filter((c) => c.doneAt === undefined || c.doneAt > now - window);
    }
    let wait = Math.max(0, s.pausedUntil - now);
    if (s.sends.length >= s.limit) {
      // The call that frees the slot is the (excess)-th to leave the window, ordered by reply time.
      const leaving = s.sends
        .filter((c) => c.doneAt !== undefined)
        .map((c) => c.doneAt as number)
        .sort((a, b) => a - b);
      const excess = s.sends.length - s.limit + 1;
      wait = Math.max(wait, excess <= leaving.length ? leaving[excess - 1] + window - now : IN_FLIGHT_POLL_MS);
    }
    if (s.server && s.server.until > now && s.server.used >= s.server.remaining) {
      wait = Math.max(wait, s.server.until - now);
    }
    return wait;
  }

  /** Waits until a call in this group may be sent and records it. Pass the ticket to `done` with the reply. */
  async acquire(group: string): Promise<SendTicket> {
    for (;;) {
      const wait = this.delayFor(group);
      if (wait <= 0) break;
      await sleep(wait);
    }
    const s = this.state(group);
    const call: SentCall = { at: this.now() };
    s.sends.push(call);
    s.inFlight += 1;
    if (s.server) s.server.used += 1;
    return { group, at: call.at, call };
  }

  /**
   * The call is answered (or failed): feeds the reply's `Remaining-Req` header, if any. The server's
   * `sec` covers this call and every earlier one it has seen; calls still in flight may not be in it,
   * so they count against the remainder, as does every call sent from now on.
   */
  done(ticket: SendTicket, remainingReq?: string): void {
    const now = this.now();
    const own = this.state(ticket.group);
    own.inFlight = Math.max(0, own.inFlight - 1);
    ticket.call.doneAt = now;
    const parsed = parseRemainingReq(remainingReq);
    if (!parsed) return;
    const s = this.state(parsed.group);
    s.strikes = 0;
    // The server's window that counted this call ends within one window of the reply.
    s.server = { remaining: parsed.sec, used: s.inFlight, until: now + s.windowMs + this.marginMs };
  }

  /** A 429 arrived: pause the group to the next window, doubling on repeats (up to 16 windows). */
  tooManyRequests(group: string): number {
    const s = this.state(group);
    const pause = s.windowMs * 2 ** Math.min(s.strikes, 4);
    s.strikes += 1;
    s.pausedUntil = Math.max(s.pausedUntil, this.now() + pause);
    return pause;
  }

  /** A 418 arrived: nothing more is sent in this group until `until`. */
  ban(group: string, until: number): void {
    const s = this.state(group);
    s.bannedUntil = Math.max(s.bannedUntil, until);
  }

  /** Time until which the group is banned, 0 when it is not. */
  bannedUntil(group: string): number {
    const until = this.state(group).bannedUntil;
    return until > this.now() ? until : 0;
  }
}

/**
 * How long a 418 block lasts. Upbit says the duration is "given in the response" without a documented
 * format, so this reads, in order: a `Retry-After` header (seconds), then a number of seconds or
 * minutes in the body (`... 30 seconds`, `30초`, `5 minutes`, `5분`), else `fallbackMs`.
 */
export function parseBanDuration(retryAfter: string | undefined, body: string, fallbackMs = 60_000): number {
  if (retryAfter && /^\d+(\.\d+)?$/.test(retryAfter.trim())) return Number(retryAfter) * 1000;
  const minutes = /(\d+(?:\.\d+)?)\s*(?:minutes?|mins?|분)/i.exec(body);
  if (minutes) return Number(minutes[1]) * 60_000;
  const seconds = /(\d+(?:\.\d+)?)\s*(?:seconds?|secs?|s\b|초)/i.exec(body);
  if (seconds) return Number(seconds[1]) * 1000;
  return fallbackMs;
}
