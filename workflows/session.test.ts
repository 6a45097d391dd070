// The TradingSession's decision loop on a real Temporal dev server with mocked activities: the
// evaluation activity returns fixed candidates, the Position children are stand-ins
// (session.test-workflows.ts). Checks that the workflow starts exactly the entries core/decision
// decides, in score order, records the skips, judges each bar once, stops on an emergency halt, and
// that its history replays.
import { createRequire } from 'node:module';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubmitOrderInput } from '../activities/orders';
import type { PositionRecord } from '../activities/records';
import type { EntryEvaluation } from '../core/decision';
import { emptyRiskState } from '../core/risk';
import { defaultSessionConfig, sessionRiskConfig } from '../core/session/config';
import { type DevServer, startDevServer } from '../workers/temporal-server';
import { installRuntimeLogger } from '../workers/workers';
import type { DecisionView, ExchangeOrderView, PositionRequest } from './definitions';
import { emergencyStopSignal, sessionStatusQuery } from './definitions';
import { decideSessionEntries } from './session-decision';

installRuntimeLogger();
const require = createRequire(import.meta.url);
let server: DevServer;
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  server = await startDevServer({ headless: true });
  env = await TestWorkflowEnvironment.createFromExistingServer({ address: server.address, namespace: 'default' });
});

afterAll(async () => {
  await env?.teardown();
  await server?.stop();
});

const BAR = Date.parse('2026-01-05T00:00:00Z');
const candidate = (market: string, score: number, correlations: Record<string, number> = {}): EntryEvaluation => ({
  market,
  score,
  reasons: [`${market} test signal`],
  entryPrice: '1000',
  barTs: BAR,
  atr: 5,
  correlations,
  minTotal: '30000',
  feeRate: '0.0005',
});
// B is the strongest; C moves with B (the correlation cap stops it once B is held); A comes last.
const CANDIDATES = [
  candidate('KRW-AAA', 0.5),
  candidate('KRW-BBB', 0.9, { 'KRW-CCC': 0.95 }),
  candidate('KRW-CCC', 0.8, { 'KRW-BBB': 0.95 }),
];
/** The exchange's view of an order the session's first try placed (resting, nothing filled). */
const placedView = (order: SubmitOrderInput): ExchangeOrderView => ({
  uuid: `uuid-${order.identifier}`,
  identifier: order.identifier,
  market: order.market,
  side: order.side,
  ordType: order.ordType,
  state: 'wait',
  price: order.price ?? null,
  volume: order.volume ?? null,
  remainingVolume: order.volume ?? '0',
  executedVolume: '0',
  executedFunds: '0',
  paidFee: '0',
  tradesCount: 0,
});
const ACCOUNT = { equityKrw: '10000000', freeKrw: '10000000', exposureKrw: '0', coinExposureKrw: {} };

describe('TradingSession decision loop (mocked activities)', () => {
  it('starts the decided entries in score order, records skips, judges a bar once, halts on emergency', async () => {
    const sessionId = `wf-${Date.now()}`;
    const config = { ...defaultSessionConfig('decision loop', 'probe'), markets: ['KRW-AAA'], loopIntervalSec: 1 };
    const started: PositionRequest[] = [];
    const placements: { position?: PositionRecord; order: SubmitOrderInput }[] = [];
    const recorded: DecisionView[][] = [];
    let evaluations = 0;
    const activities = {
      async recordSessionStatus() {},
      async recordSessionConfig() {},
      async recordRiskEvent() {},
      async reconcileSession() {},
      async recordDecisions(input: { decisions: DecisionView[] }) {
        recorded.push(input.decisions);
      },
      async evaluateSession() {
        evaluations++;
        // Every evaluation sees the same closed bar: only the first may decide on it.
        return {
          candidates: CANDIDATES,
          exits: [],
          btcPrice: null,
          skipped: [],
          account: ACCOUNT,
          inputs: {},
          bars: { 'KRW-AAA': BAR, 'KRW-BBB': BAR, 'KRW-CCC': BAR },
        };
      },
      async positionStarted(req: PositionRequest) {
        started.push(req);
      },
      // The session's first try at each entry's order: B's is placed, A's fails (its position places it itself).
      async placeEntry(input: { position?: PositionRecord; order: SubmitOrderInput }): Promise<ExchangeOrderView> {
        placements.push(input);
        if (input.order.market === 'KRW-AAA') throw new Error('exchange did not answer');
        return placedView(input.order);
      },
    };
    const taskQueue = `session-test-${sessionId}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      workflowsPath: require.resolve('./session.test-workflows.ts'),
      activities,
    });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start('tradingSession', {
        taskQueue,
        workflowId: `session-${sessionId}`,
        args: [{ sessionId, config }],
      });
      const deadline = Date.now() + 90_000;
      while (evaluations < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(evaluations).toBeGreaterThanOrEqual(3);
      const status = await handle.query(sessionStatusQuery);
      await handle.signal(emergencyStopSignal, { mode: 'halt', reason: 'test over' });
      const final = await handle.result();

      // What the pure decision step decides for the first evaluation is what the workflow did.
      const risk = sessionRiskConfig(config);
      if (!risk.ok) throw new Error('bad risk config');
      const expected = decideSessionEntries(
        sessionId,
        { risk: emptyRiskState(), judgedBars: {}, positionSeq: {} },
        { candidates: CANDIDATES, bars: {}, account: ACCOUNT },
        risk.value,
        Date.now(),
      );
      expect(expected.entries.map((e) => e.market)).toEqual(['KRW-BBB', 'KRW-AAA']);
      // Started together, the stand-ins may report in either order.
      const byId = (a: string[], b: string[]) => a[0].localeCompare(b[0]);
      expect(started.map((p) => [p.positionId, p.market, p.entryPrice, p.entryVolume]).sort(byId)).toEqual(
        expected.entries.map((e) => [e.positionId, e.market, e.price, e.volume]).sort(byId),
      );
      // The session tried both entries' first orders, each after its entering row: B's was placed and its position
      // follows that order; A's failed, so its position was started to place the order itself.
      expect(
        placements.map((p) => [p.position, p.order.identifier, p.order.side, p.order.price, p.order.volume]),
      ).toEqual(
        expected.entries.map((e) => [
          { positionId: e.positionId, sessionId, market: e.market, status: 'entering' },
          `ord-${e.positionId}-1-s1`,
          'bid',
          e.price,
          e.volume,
        ]),
      );
      const startedFor = (market: string) => started.find((p) => p.market === market);
      expect(startedFor('KRW-BBB')?.entryPlaced).toEqual(placedView(placements[0].order));
      expect(startedFor('KRW-AAA')).toBeDefined();
      expect(startedFor('KRW-AAA')).not.toHaveProperty('entryPlaced');
      // The first evaluation recorded both entries and C's skip; later ones, judging the same bar, nothing.
      expect(recorded).toHaveLength(1);
      expect(recorded[0].map((d) => [d.market, d.action])).toEqual([
        ['KRW-CCC', 'skip'],
        ['KRW-BBB', 'entry'],
        ['KRW-AAA', 'entry'],
      ]);
      expect(recorded[0][0].reasons.at(-1)).toMatch(/^Correlated: KRW-CCC vs open KRW-BBB/);
      expect(status.evaluations).toBeGreaterThanOrEqual(3);
      expect(final.status).toBe('stopped');
      expect(final.halted).toBe(true);
      expect(final.risk.entries.perCoin).toEqual({ 'KRW-BBB': 1, 'KRW-AAA': 1 });
      expect(final.openPositions).toEqual([]);

      // The recorded history replays against the workflow code.
      const history = await handle.fetchHistory();
      // Both positions start in one workflow task, in score order: no server round trip per position.
      const events = history.events ?? [];
      const starts = events.flatMap((e, i) =>
        e.startChildWorkflowExecutionInitiatedEventAttributes
          ? [{ i, id: e.startChildWorkflowExecutionInitiatedEventAttributes.workflowId }]
          : [],
      );
      expect(starts.map((s) => s.id)).toEqual(expected.entries.map((e) => e.positionId));
      const taskOf = (i: number) => events.slice(0, i).findLastIndex((e) => !!e.workflowTaskCompletedEventAttributes);
      expect(taskOf(starts[1].i)).toBe(taskOf(starts[0].i));
      // The orders were tried in that task too, before the starts (a local activity's marker each).
      const markers = events.flatMap((e, i) =>
        e.markerRecordedEventAttributes?.markerName === 'core_local_activity' ? [i] : [],
      );
      expect(markers).toHaveLength(2);
      for (const i of markers) {
        expect(taskOf(i)).toBe(taskOf(starts[0].i));
        expect(i).toBeLessThan(starts[0].i);
      }
      await Worker.runReplayHistory(
        { workflowsPath: require.resolve('./session.test-workflows.ts') },
        history,
        `session-${sessionId}`,
      );
    });
  }, 180_000);
});
