/**
 * Walk-forward folds: optimise on each train window, judge only on the test window after it.
 * 'rolling' slides a fixed-length train window; 'anchored' keeps the start and grows it.
 */
export interface TimeRange {
  from: number;
  /** Exclusive. */
  to: number;
}

export interface WalkForwardSpec {
  mode: 'rolling' | 'anchored';
  trainMs: number;
  testMs: number;
  /** How far each fold moves on; defaults to testMs so test windows tile without overlap. */
  stepMs?: number;
}

export interface Fold {
  index: number;
  train: TimeRange;
  test: TimeRange;
}

export function walkForwardFolds(range: TimeRange, spec: WalkForwardSpec): Fold[] {
  const step = spec.stepMs ?? spec.testMs;
  for (const [name, v] of [
    ['trainMs', spec.trainMs],
    ['testMs', spec.testMs],
    ['stepMs', step],
  ] as const)
    if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number of ms, got ${v}`);
  if (spec.mode !== 'rolling' && spec.mode !== 'anchored')
    throw new Error(`mode must be 'rolling' or 'anchored', got ${JSON.stringify(spec.mode)}`);
  if (!(range.to > range.from)) throw new Error(`range end ${range.to} must be after its start ${range.from}`);
  const folds: Fold[] = [];
  for (let k = 0; ; k++) {
    const trainEnd = range.from + spec.trainMs + k * step;
    const testEnd = trainEnd + spec.testMs;
    if (testEnd > range.to) break;
    const trainStart = spec.mode === 'rolling' ? trainEnd - spec.trainMs : range.from;
    folds.push({ index: k, train: { from: trainStart, to: trainEnd }, test: { from: trainEnd, to: testEnd } });
  }
  if (folds.length === 0)
    throw new Error(
      `no fold fits: train ${spec.trainMs} ms + test ${spec.testMs} ms is longer than the range (${range.to - range.from} ms)`,
    );
  return folds;
}
