import { describe, expect, it } from 'vitest';
import { GroupBanned, parseBanDuration, parseRemainingReq, RateLimiter } from './rate-limit';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('parseRemainingReq', () => {
  it('reads the group (hyphens included) and the per-second remainder, ignoring min', () => {
    expect(parseRemainingReq('group=default; min=1800; sec=29')).toEqual({ group: 'default', sec: 29 });
    expect(parseRemainingReq('group=order-cancel-all; min=59; sec=0')).toEqual({ group: 'order-cancel-all', sec: 0 });
    expect(parseRemainingReq(undefined)).toBeUndefined();
    expect(parseRemainingReq('garbage')).toBeUndefined();
  });
});

describe('RateLimiter', () => {
  it('lets the documented number of calls through, each held for one window after its reply', async () => {
    const c = clock();
    const limiter = new RateLimiter({ now: c.now, marginMs: 0 });
    for (let i = 0; i < 10; i++) {
      expect(limiter.delayFor('candle')).toBe(0);
      const ticket = await limiter.acquire('candle');
      c.advance(5);
      limiter.done(ticket);
      c.advance(5);
    }
    // Replies at t0+5 .. t0+95: the 11th call may go when the first reply is 1000 ms old.
    expect(limiter.delayFor('candle')).toBe(905);
    c.advance(905);
    expect(limiter.delayFor('candle')).toBe(0);
    // Groups are independent; order-cancel-all allows one call per 2 s.
    limiter.done(await limiter.acquire('order-cancel-all'));
    expect(limiter.delayFor('order-cancel-all')).toBe(2000);
    expect(limiter.delayFor('default')).toBe(0);
  });

  it('counts a call in flight however long it takes: a slow reply cannot let a burst through', async () => {
    const c = clock();
    const limiter = new RateLimiter({ now: c.now, marginMs: 0 });
    const slow = await limiter.acquire('order-cancel-all');
    c.advance(5000);
    // Still unanswered after 5 s: the server may count it only now, so nothing else may go.
    expect(limiter.delayFor('order-cancel-all')).toBeGreaterThan(0);
    limiter.done(slow);
    expect(limiter.delayFor('order-cancel-all')).toBe(2000);
  });

  it('follows the server when it reports fewer calls left than our own count', async () => {
    const c = clock();
    const limiter = new RateLimiter({ now: c.now, marginMs: 0 });
    const first = await limiter.acquire('default');
    const inFlight = await limiter.acquire('default');
    // Another process used most of the budget: the server says 2 left after our first call. The second
    // call was still in flight, so only one more may go.
    limiter.done(first, 'group=default; min=1800; sec=2');
    expect(limiter.delayFor('default')).toBe(0);
    await limiter.acquire('default');
    expect(limiter.delayFor('default')).toBe(1000);
    limiter.done(inFlight, 'group=default; min=1800; sec=0');
    expect(limiter.delayFor('default')).toBe(1000);
    c.advance(1000);
    expect(limiter.delayFor('default')).toBe(0);
  });

  it('uses the whole budget the server reports for calls made one after another', async () => {
    const c = clock();
    const limiter = new RateLimiter({ now: c.now, marginMs: 0 });
    for (let left = 9; left >= 0; left--) {
      expect(limiter.delayFor('ticker')).toBe(0);
      limiter.done(await limiter.acquire('ticker'), `group=ticker; min=600; sec=${left}`);
      c.advance(1);
    }
    expect(limiter.delayFor('ticker')).toBeGreaterThan(0);
  });

  it('pauses a group after a 429, longer on repeats, and clears the strikes on a good reply', async () => {
    const c = clock();
    const limiter = new RateLimiter({ now: c.now, marginMs: 0 });
    expect(limiter.tooManyRequests('ticker')).toBe(1000);
    expect(limiter.delayFor('ticker')).toBe(1000);
    expect(limiter.tooManyRequests('ticker')).toBe(2000);
    expect(limiter.delayFor('ticker')).toBe(2000);
    limiter.done(await limiter.acquire('default'), 'group=ticker; min=600; sec=9');
    expect(limiter.tooManyRequests('ticker')).toBe(1000);
  });

  it('refuses a banned group until the ban ends', async () => {
    const c = clock();
    const limiter = new RateLimiter({ now: c.now });
    limiter.ban('order', c.now() + 30_000);
    expect(limiter.bannedUntil('order')).toBe(c.now() + 30_000);
    await expect(limiter.acquire('order')).rejects.toBeInstanceOf(GroupBanned);
    expect(limiter.delayFor('default')).toBe(0);
    c.advance(30_000);
    expect(limiter.bannedUntil('order')).toBe(0);
    expect(limiter.delayFor('order')).toBe(0);
  });
});

describe('parseBanDuration', () => {
  it('prefers Retry-After, then a duration in the body, else the fallback', () => {
    expect(parseBanDuration('12', 'blocked for 5 minutes')).toBe(12_000);
    expect(parseBanDuration(undefined, '{"error":{"message":"blocked for 5 minutes"}}')).toBe(300_000);
    expect(parseBanDuration(undefined, '30초 동안 차단')).toBe(30_000);
    expect(parseBanDuration(undefined, 'ban 45 seconds')).toBe(45_000);
    expect(parseBanDuration(undefined, "I'm a teapot", 7000)).toBe(7000);
  });
});
