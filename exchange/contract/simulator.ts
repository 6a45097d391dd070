// Starts the Upbit-compatible simulator on a free loopback port and hands out clients wired to it.
// The contract tests run OUR client (and ccxt) against it; anything the simulator offers beyond the
// Upbit protocol (admin price moves, fault injection) is reached only through this file.
import type { EventEmitter } from 'node:events';
import { startSimulator } from '../sim/server';
import { UpbitClient, type UpbitLogger } from '../upbit/client';
import type { ApiKeys } from '../upbit/signing';
import { UpbitStream, type UpbitStreamOptions, type WsEvents } from '../upbit/websocket';

export const SIM_KEYS: ApiKeys = { accessKey: 'sim-access-key', secretKey: 'sim-secret-key' };

/** A logger that keeps what it was told, so tests can check what the client reported. */
export class RecordingLogger implements UpbitLogger {
  readonly entries: Array<{ obj: object; msg: string }> = [];
  warn(obj: object, msg: string): void {
    this.entries.push({ obj, msg });
  }
}

export interface SimHandle {
  baseUrl: string;
  wsUrl: string;
  /** `http://127.0.0.1:<port>`, without the API's `/v1`. */
  origin: string;
  client(opts?: { logger?: UpbitLogger; keys?: ApiKeys; timeoutMs?: number; maxRetries?: number }): UpbitClient;
  /** A stream on the simulator; `private: true` uses the default keys, `keys` a given account. */
  stream(opts?: Omit<Partial<UpbitStreamOptions>, 'keys'> & { private?: boolean; keys?: ApiKeys }): UpbitStream;
  /** POST to the simulator's admin API; throws with the reply when it is not 2xx. */
  admin(path: string, body: object): Promise<unknown>;
  close(): Promise<void>;
}

export async function startSim(opts: { seed?: number } & Record<string, unknown> = {}): Promise<SimHandle> {
  const sim = await startSimulator({ port: 0, seed: 7, ...opts });
  const origin = sim.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
  const streams: UpbitStream[] = [];
  return {
    baseUrl: sim.baseUrl,
    wsUrl: sim.wsUrl,
    origin,
    client: (o = {}) =>
      new UpbitClient({
        baseUrl: sim.baseUrl,
        keys: async () => o.keys ?? SIM_KEYS,
        logger: o.logger,
        timeoutMs: o.timeoutMs,
        maxRetries: o.maxRetries,
        retryBaseMs: 50,
      }),
    stream: (o = {}) => {
      const { private: isPrivate, keys, ...rest } = o;
      const account = keys ?? (isPrivate ? SIM_KEYS : undefined);
      const stream = new UpbitStream({
        url: sim.wsUrl,
        keys: account ? async () => account : undefined,
        reconnectBaseMs: 100,
        reconnectMaxMs: 1000,
        ...rest,
      });
      streams.push(stream);
      return stream;
    },
    admin: async (path, body) => {
      const res = await fetch(`${origin}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`simulator admin ${path} -> HTTP ${res.status}: ${text}`);
      return text ? JSON.parse(text) : undefined;
    },
    close: async () => {
      for (const s of streams) s.close();
      await sim.close();
    },
  };
}

/** Resolves with the first `type` event of the stream that `pick` accepts within `ms`, else rejects saying what was awaited. */
export function nextFrame<K extends keyof WsEvents>(
  stream: UpbitStream,
  type: K,
  pick: (frame: WsEvents[K][0]) => boolean,
  ms: number,
): Promise<WsEvents[K][0]> {
  const emitter = stream as unknown as EventEmitter;
  return new Promise((resolve, reject) => {
    const listener = (frame: WsEvents[K][0]) => {
      if (!pick(frame)) return;
      clearTimeout(timer);
      emitter.off(type, listener);
      resolve(frame);
    };
    const timer = setTimeout(() => {
      emitter.off(type, listener);
      reject(new Error(`no matching ${String(type)} frame within ${ms} ms`));
    }, ms);
    emitter.on(type, listener);
  });
}
