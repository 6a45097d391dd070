// Live updates for the dashboard: GET /api/events/stream is a Server-Sent Events stream that says what
// changed (new risk events, orders and fills, positions, sessions) so the dashboard refetches just
// that. The trading rows are written by the workers, possibly in another process, so the API learns of
// them by polling the database every POLL_MS while at least one client listens (one poller for all).
// Each event names the ids that changed; the rows themselves come from the ordinary routes.
import { PassThrough } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import type { Database } from '../../prisma/db';
import { changesSince } from '../../prisma/repositories/changes';
import type { ApiContext } from '../context';

/** What changed; `order` covers new fills too. */
export type LiveEventType = 'risk_event' | 'order' | 'position' | 'session';
export const LIVE_EVENT_TYPES: readonly LiveEventType[] = ['risk_event', 'order', 'position', 'session'];

/** The `data:` of one event: the rows that changed and the sessions they belong to. */
export interface LiveEvent {
  ids: string[];
  sessionIds: string[];
}

export const POLL_MS = 300;
export const HEARTBEAT_MS = 15_000;
/**
 * Rows stamped up to this long before the newest one seen are read again (and skipped when already
 * sent): a transaction commits after it stamps its rows, and the API's and the database's clocks may
 * differ a little.
 */
const OVERLAP_MS = 5_000;

type Listener = (type: LiveEventType, event: LiveEvent) => void;

/** Rows of one table newer than the newest seen, each reported once per version (`key`). */
class Cursor {
  private since: number;
  private readonly sent = new Map<string, number>();
  constructor(now: number) {
    this.since = now;
  }
  get from(): Date {
    return new Date(this.since - OVERLAP_MS);
  }
  /** The rows not reported before; remembers them. */
  fresh<T>(rows: T[], key: (row: T) => string, at: (row: T) => Date): T[] {
    const out: T[] = [];
    for (const row of rows) {
      const k = key(row);
      const ts = at(row).getTime();
      if (ts > this.since) this.since = ts;
      if (this.sent.has(k)) continue;
      this.sent.set(k, ts);
      out.push(row);
    }
    for (const [k, ts] of this.sent) if (ts < this.since - OVERLAP_MS) this.sent.delete(k);
    return out;
  }
}

/** Polls the database for changes while anyone listens and tells every listener. */
export class ChangeFeed {
  private readonly listeners = new Set<Listener>();
  private timer: NodeJS.Timeout | undefined;
  private state:
    | { riskEvents: Cursor; orders: Cursor; fills: Cursor; sessions: Cursor; positions: Map<string, string> | null }
    | undefined;

  constructor(
    private readonly db: Database,
    private readonly onError: (err: unknown) => void,
  ) {}

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (!this.timer) this.schedule(0);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.state = undefined;
  }

  private schedule(delay: number) {
    this.timer = setTimeout(async () => {
      try {
        await this.poll();
      } catch (err) {
        this.onError(err);
      }
      // Stopped while polling (last listener gone, server closing): no next round.
      if (this.timer && this.listeners.size > 0) this.schedule(POLL_MS);
    }, delay);
  }

  private emit(type: LiveEventType, rows: { id: string; sessionId: string | null }[]) {
    if (rows.length === 0) return;
    const event: LiveEvent = {
      ids: [...new Set(rows.map((r) => r.id))],
      sessionIds: [...new Set(rows.flatMap((r) => (r.sessionId ? [r.sessionId] : [])))],
    };
    for (const l of this.listeners) l(type, event);
  }

  private async poll() {
    const now = Date.now();
    this.state ??= {
      riskEvents: new Cursor(now),
      orders: new Cursor(now),
      fills: new Cursor(now),
      sessions: new Cursor(now),
      positions: null,
    };
    const s = this.state;
    // Positions carry no update time: the open ones are compared with the last round's (a position that
    // left the list was closed).
    const [riskEvents, orders, fills, sessions, positions] = await changesSince(this.db.prisma, {
      riskEvents: s.riskEvents.from,
      orders: s.orders.from,
      fills: s.fills.from,
      sessions: s.sessions.from,
    });
    if (this.state !== s) return; // stopped meanwhile
    this.emit(
      'risk_event',
      s.riskEvents.fresh(
        riskEvents,
        (r) => r.id,
        (r) => r.createdAt,
      ),
    );
    const newFills = s.fills
      .fresh(
        fills,
        (f) => f.id,
        (f) => f.createdAt,
      )
      .map((f) => f.order);
    this.emit('order', [
      ...s.orders.fresh(
        orders,
        (o) => `${o.id}@${o.updatedAt.getTime()}`,
        (o) => o.updatedAt,
      ),
      ...newFills,
    ]);
    this.emit(
      'session',
      s.sessions
        .fresh(
          sessions,
          (r) => `${r.id}@${r.updatedAt.getTime()}`,
          (r) => r.updatedAt,
        )
        .map((r) => ({ id: r.id, sessionId: r.id })),
    );
    const current = new Map(positions.map((p) => [p.id, JSON.stringify(p)]));
    if (s.positions) {
      const changed = positions.filter((p) => s.positions?.get(p.id) !== current.get(p.id));
      const closed = [...s.positions.entries()]
        .filter(([id]) => !current.has(id))
        .map(([id, sig]) => ({ id, sessionId: (JSON.parse(sig) as { sessionId: string }).sessionId }));
      this.emit('position', [...changed, ...closed]);
    }
    s.positions = current;
  }
}

export const liveRoutes =
  (ctx: ApiContext): FastifyPluginAsync =>
  async (app) => {
    const feed = new ChangeFeed(ctx.db, (err) => app.log.error({ err }, 'live updates: polling failed'));
    const streams = new Set<PassThrough>();
    // Open streams would hold the server's close up; end them first.
    app.addHook('preClose', async () => {
      feed.stop();
      for (const stream of streams) stream.end();
    });

    app.get(
      '/api/events/stream',
      {
        schema: {
          summary:
            'Server-Sent Events: `event: risk_event | order | position | session`, data `{ids, sessionIds}` of what changed; a comment line every 15 s',
        },
      },
      async (_req, reply) => {
        const stream = new PassThrough();
        streams.add(stream);
        const unsubscribe = feed.subscribe((type, event) => {
          stream.write(`event: ${type}\ndata: ${JSON.stringify(event)}\n\n`);
        });
        const heartbeat = setInterval(() => stream.write(': heartbeat\n\n'), HEARTBEAT_MS);
        let ended = false;
        const done = () => {
          if (ended) return;
          ended = true;
          clearInterval(heartbeat);
          unsubscribe();
          streams.delete(stream);
          stream.end();
        };
        reply.raw.once('close', done); // the client went away
        stream.once('close', done);
        // First bytes at once, so the client knows the stream is open; `retry` is for EventSource clients.
        stream.write(`: connected\nretry: 1000\n\n`);
        return reply
          .header('content-type', 'text/event-stream; charset=utf-8')
          .header('x-accel-buffering', 'no')
          .send(stream);
      },
    );
  };
