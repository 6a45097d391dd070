// Reads the private myOrder stream and tells each Order workflow that its order changed, so fills
// are seen in well under the polling backstop. Only the hint travels (uuid and state): the
// workflow re-reads the exchange itself, and after a reconnect every running order re-reads too.
// A position places its entry itself (no Order workflow of that id): the hint goes to the position.
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { TradingMode } from '../core/session/config';
import type { KeyProvider } from '../exchange/upbit/client';
import { UpbitStream, type WsMyOrder } from '../exchange/upbit/websocket';
import { orderChangedSignal } from '../workflows/definitions';
import { orderIdOfIdentifier, positionIdOfOrderId } from '../workflows/ids';

export interface FillIngester {
  stream: UpbitStream;
  /** Hints delivered so far (for tests and the health view). */
  delivered(): number;
  /** Stops reading and waits for hints in flight (the Temporal connection may close after). */
  close(): Promise<void>;
}

export async function startFillIngester(opts: {
  client: Client;
  /** WebSocket base of the exchange (ws://127.0.0.1:7780 for the simulator). */
  wsUrl: string;
  keys: KeyProvider;
  mode: TradingMode;
  /** Called after every reconnect (an alert-worthy event), once the resync is done. */
  onReconnect?: () => Promise<void>;
}): Promise<FillIngester> {
  let delivered = 0;
  let closed = false;
  const inFlight = new Set<Promise<void>>();
  const signal = (workflowId: string, uuid: string, state: string) =>
    opts.client.workflow.getHandle(workflowId).signal(orderChangedSignal, { uuid, state });
  const hint = (workflowId: string, uuid: string, state: string) => {
    if (closed) return Promise.resolve();
    const p = signal(workflowId, uuid, state)
      .catch((err) => {
        // No Order workflow of that id (an entry the position places itself, or an order that ended):
        // the position that owns the order follows it.
        const positionId = positionIdOfOrderId(workflowId);
        if (!(err instanceof WorkflowNotFoundError) || !positionId) throw err;
        return signal(positionId, uuid, state);
      })
      .then(
        () => {
          delivered += 1;
        },
        () => {
          // The order workflow already ended (or belongs to another deployment): nothing to tell.
        },
      )
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    return p;
  };
  const stream = new UpbitStream({
    url: opts.wsUrl,
    keys: opts.keys,
    resync: async () => {
      // Frames may have been missed while disconnected: every running order re-reads the exchange.
      for await (const wf of opts.client.workflow.list({
        query: `WorkflowType IN ('orderWorkflow', 'positionWorkflow') AND ExecutionStatus = 'Running'`,
      })) {
        await hint(wf.workflowId, '', 'resync');
      }
      await opts.onReconnect?.().catch(() => undefined);
    },
  });
  stream.on('myOrder', (frame: WsMyOrder) => {
    const workflowId = frame.identifier ? orderIdOfIdentifier(frame.identifier) : undefined;
    if (workflowId) void hint(workflowId, frame.uuid, frame.state);
  });
  stream.on('error', () => {
    // Reconnects are the stream's job; polling in the workflows covers the gap.
  });
  await stream.subscribe([{ type: 'myOrder' }]);
  return {
    stream,
    delivered: () => delivered,
    close: async () => {
      closed = true;
      stream.close();
      await Promise.all(inFlight);
    },
  };
}

/** The WebSocket base for an exchange's REST base URL (same host, ws scheme). */
export function wsBaseOf(restBase: string): string {
  return restBase.replace(/^http/, 'ws').replace(/\/+$/, '');
}
