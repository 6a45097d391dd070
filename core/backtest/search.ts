import type { ParamSchema } from '../strategy';
import { type Rng, randomIndex, randomNormal, seededRng } from './random';

/** What a search can maximise: a metric of the backtest result (research.ts scores it). */
export const OBJECTIVES = ['sharpe', 'sortino', 'calmar', 'totalReturn', 'profitFactor'] as const;
export type Objective = (typeof OBJECTIVES)[number];

/**
 * Parameter search over a strategy's parameter schema. Pure and seeded: the same inputs always
 * give the same parameter sets, so a Temporal workflow can plan, fan out and replay safely.
 * Scores are "higher is better"; non-finite scores (no trades) rank last.
 */
export type ParamValue = number | string | boolean;
export type ParamSet = Record<string, ParamValue>;

export type SearchDimension =
  | { type: 'int'; min: number; max: number; step?: number }
  | { type: 'float'; min: number; max: number; step?: number }
  | { type: 'choice'; values: readonly ParamValue[] };

export type ParamSpace = Record<string, SearchDimension>;

export interface OptimizationSpec {
  space: ParamSpace;
  method: 'grid' | 'random' | 'tpe';
  /** Most parameter sets to evaluate. A grid larger than this is an error, not a silent cut. */
  budget: number;
  seed: number;
  /** Float dimensions without a step get this many evenly spaced grid points (default 5). */
  gridPoints?: number;
}

export interface Trial {
  params: ParamSet;
  score: number;
}

const MAX_BUDGET = 100_000;

function checkSpace(space: ParamSpace): void {
  const names = Object.keys(space);
  if (names.length === 0) throw new Error('parameter space is empty');
  for (const name of names) {
    const s = space[name];
    if (s.type === 'choice') {
      if (!Array.isArray(s.values) || s.values.length === 0)
        throw new Error(`${name}: a choice needs at least one value`);
      continue;
    }
    if (s.type !== 'int' && s.type !== 'float') throw new Error(`${name}: unknown parameter type ${JSON.stringify(s)}`);
    if (!Number.isFinite(s.min) || !Number.isFinite(s.max) || s.min > s.max)
      throw new Error(`${name}: needs finite min <= max, got ${s.min}..${s.max}`);
    if (s.step !== undefined && !(s.step > 0)) throw new Error(`${name}: step must be positive, got ${s.step}`);
    if (s.type === 'int' && (!Number.isInteger(s.min) || !Number.isInteger(s.max)))
      throw new Error(`${name}: int bounds must be integers, got ${s.min}..${s.max}`);
  }
}

/** The values one dimension takes on a grid. */
function gridValues(spec: SearchDimension, gridPoints: number): ParamValue[] {
  if (spec.type === 'choice') return [...spec.values];
  const step = spec.step ?? (spec.type === 'int' ? 1 : (spec.max - spec.min) / Math.max(1, gridPoints - 1));
  if (step === 0) return [spec.min];
  const out: number[] = [];
  const n = Math.floor((spec.max - spec.min) / step + 1e-9);
  for (let i = 0; i <= n; i++) out.push(roundLike(spec.min + i * step, step));
  return out;
}

/** Removes float noise from min + i x step (0.1 + 0.2 -> 0.3). */
function roundLike(x: number, step: number): number {
  const decimals = Math.min(12, Math.max(0, -Math.floor(Math.log10(step)) + 2));
  return Number(x.toFixed(decimals));
}

/** Maps u in [0, 1] onto a numeric dimension, snapping to int / step. */
function fromUnit(spec: Exclude<SearchDimension, { type: 'choice' }>, u: number): number {
  const raw = spec.min + Math.min(1, Math.max(0, u)) * (spec.max - spec.min);
  if (spec.step) {
    const snapped = spec.min + Math.round((raw - spec.min) / spec.step) * spec.step;
    return roundLike(Math.min(spec.max, snapped), spec.step);
  }
  return spec.type === 'int' ? Math.round(raw) : raw;
}

function toUnit(spec: Exclude<SearchDimension, { type: 'choice' }>, x: number): number {
  return spec.max === spec.min ? 0.5 : (x - spec.min) / (spec.max - spec.min);
}

export function gridSize(space: ParamSpace, gridPoints = 5): number {
  checkSpace(space);
  return Object.values(space).reduce((n, s) => n * gridValues(s, gridPoints).length, 1);
}

function randomParams(space: ParamSpace, rng: Rng): ParamSet {
  const out: ParamSet = {};
  for (const [name, s] of Object.entries(space))
    out[name] = s.type === 'choice' ? s.values[randomIndex(rng, s.values.length)] : fromUnit(s, rng());
  return out;
}

const keyOf = (p: ParamSet) =>
  JSON.stringify(
    Object.keys(p)
      .sort()
      .map((k) => [k, p[k]]),
  );

/** All parameter sets of a grid or random search, in evaluation order. TPE is sequential: use tpeSuggest. */
export function planOptimization(spec: OptimizationSpec): ParamSet[] {
  checkSpace(spec.space);
  if (!Number.isInteger(spec.budget) || spec.budget < 1 || spec.budget > MAX_BUDGET)
    throw new Error(`budget must be an integer from 1 to ${MAX_BUDGET}, got ${spec.budget}`);
  const gridPoints = spec.gridPoints ?? 5;
  if (spec.method === 'grid') {
    const size = gridSize(spec.space, gridPoints);
    if (size > spec.budget)
      throw new Error(
        `the grid has ${size} parameter sets, more than the budget ${spec.budget}: raise the budget or use random/tpe`,
      );
    let sets: ParamSet[] = [{}];
    for (const [name, s] of Object.entries(spec.space))
      sets = sets.flatMap((p) => gridValues(s, gridPoints).map((v) => ({ ...p, [name]: v })));
    return sets;
  }
  if (spec.method === 'random') {
    const rng = seededRng(spec.seed);
    const seen = new Set<string>();
    const sets: ParamSet[] = [];
    // Draw without repeats; a small discrete space may hold fewer distinct sets than the budget.
    for (let tries = 0; sets.length < spec.budget && tries < spec.budget * 20; tries++) {
      const p = randomParams(spec.space, rng);
      const k = keyOf(p);
      if (!seen.has(k)) {
        seen.add(k);
        sets.push(p);
      }
    }
    return sets;
  }
  throw new Error(
    `planOptimization plans 'grid' or 'random'; for 'tpe' call tpeSuggest trial by trial (got ${spec.method})`,
  );
}

export interface TpeOptions {
  /** Trials drawn at random before the model is used (default 10). */
  startupTrials?: number;
  /** Share of trials counted as "good" (default 0.25). */
  gamma?: number;
  /** Candidates drawn from the good model, the best ratio wins (default 24). */
  candidates?: number;
}

/**
 * Tree-structured Parzen Estimator (Bergstra et al. 2011), one dimension at a time: split past
 * trials into good (top gamma) and bad, model each side with Gaussian kernels in [0, 1] (plus a
 * uniform prior), draw candidates from the good model and return the one maximising l(x) / g(x).
 * Pass a different seed per trial (e.g. base seed + trial number).
 */
export function tpeSuggest(history: Trial[], space: ParamSpace, seed: number, options: TpeOptions = {}): ParamSet {
  checkSpace(space);
  const rng = seededRng(seed);
  const startup = options.startupTrials ?? 10;
  const valid = history.filter((t) => Number.isFinite(t.score));
  if (valid.length < Math.max(2, startup)) return randomParams(space, rng);
  const gamma = options.gamma ?? 0.25;
  const nCandidates = options.candidates ?? 24;
  const sorted = [...valid].sort((a, b) => b.score - a.score);
  const nGood = Math.max(1, Math.ceil(gamma * sorted.length));
  const good = sorted.slice(0, nGood).map((t) => t.params);
  const bad = sorted.slice(nGood).map((t) => t.params);
  // Failed trials (no score) count as bad so the search moves away from them.
  for (const t of history) if (!Number.isFinite(t.score)) bad.push(t.params);

  const candidates: ParamSet[] = Array.from({ length: nCandidates }, () => ({}));
  const logRatio = new Array<number>(nCandidates).fill(0);
  for (const [name, s] of Object.entries(space)) {
    if (s.type === 'choice') {
      const weights = (set: ParamSet[]) => {
        const w = s.values.map(() => 1);
        for (const p of set) {
          const i = s.values.indexOf(p[name]);
          if (i >= 0) w[i] += 1;
        }
        const total = w.reduce((a, b) => a + b, 0);
        return w.map((x) => x / total);
      };
      const l = weights(good);
      const g = weights(bad);
      for (let c = 0; c < nCandidates; c++) {
        let u = rng();
        let i = 0;
        while (i < l.length - 1 && u >= l[i]) u -= l[i++];
        candidates[c][name] = s.values[i];
        logRatio[c] += Math.log(l[i]) - Math.log(g[i]);
      }
      continue;
    }
    const goodU = good.map((p) => toUnit(s, Number(p[name])));
    const badU = bad.map((p) => toUnit(s, Number(p[name])));
    const l = parzen(goodU);
    const g = parzen(badU);
    for (let c = 0; c < nCandidates; c++) {
      const u = l.sample(rng);
      const x = fromUnit(s, u);
      candidates[c][name] = x;
      const ux = toUnit(s, x);
      logRatio[c] += Math.log(l.density(ux)) - Math.log(g.density(ux));
    }
  }
  let best = 0;
  for (let c = 1; c < nCandidates; c++) if (logRatio[c] > logRatio[best]) best = c;
  return candidates[best];
}

/** Gaussian kernels on [0, 1] with a uniform prior component; bandwidth by Scott's rule, kept within sane limits. */
function parzen(points: number[]) {
  const n = points.length;
  const m = n ? points.reduce((a, b) => a + b, 0) / n : 0.5;
  const sd = n > 1 ? Math.sqrt(points.reduce((a, b) => a + (b - m) ** 2, 0) / (n - 1)) : 0.5;
  // Floor of 1 / (n + 1) as in Optuna: a tight cluster of good points must not freeze the search.
  const bw = Math.min(1, Math.max(1 / Math.min(100, n + 1), 1.06 * sd * (n + 1) ** -0.2));
  const w = 1 / (n + 1);
  const norm = 1 / (bw * Math.sqrt(2 * Math.PI));
  return {
    density(x: number): number {
      let d = w; // uniform prior on [0, 1]
      for (const p of points) d += w * norm * Math.exp(-0.5 * ((x - p) / bw) ** 2);
      return d;
    },
    sample(rng: Rng): number {
      const i = randomIndex(rng, n + 1);
      if (i === n) return rng();
      for (let tries = 0; tries < 16; tries++) {
        const x = points[i] + bw * randomNormal(rng);
        if (x >= 0 && x <= 1) return x;
      }
      return Math.min(1, Math.max(0, points[i]));
    },
  };
}

/** Trials best first; non-finite scores last, ties kept in evaluation order. */
export function rankTrials<T extends Trial>(trials: T[]): T[] {
  const score = (t: Trial) => (Number.isFinite(t.score) ? t.score : Number.NEGATIVE_INFINITY);
  return trials
    .map((t, i) => [t, i] as const)
    .sort((a, b) => score(b[0]) - score(a[0]) || a[1] - b[1])
    .map(([t]) => t);
}

/**
 * Runs a whole search in one process: grid/random evaluate the plan, TPE asks for one set at a
 * time. `evaluate` returns the objective score. The Temporal workflow does the same in pieces.
 */
export function optimize(spec: OptimizationSpec, evaluate: (params: ParamSet) => number): Trial[] {
  if (spec.method !== 'tpe')
    return rankTrials(planOptimization(spec).map((params) => ({ params, score: evaluate(params) })));
  checkSpace(spec.space);
  if (!Number.isInteger(spec.budget) || spec.budget < 1 || spec.budget > MAX_BUDGET)
    throw new Error(`budget must be an integer from 1 to ${MAX_BUDGET}, got ${spec.budget}`);
  const history: Trial[] = [];
  for (let i = 0; i < spec.budget; i++) {
    const params = tpeSuggest(history, spec.space, spec.seed + i);
    history.push({ params, score: evaluate(params) });
  }
  return rankTrials(history);
}

/** The search space of a strategy's parameter schema, optionally only the named parameters. */
export function searchSpaceOf(schema: ParamSchema, only?: string[]): ParamSpace {
  const names = only ?? Object.keys(schema.properties);
  const space: ParamSpace = {};
  for (const name of names) {
    const p = schema.properties[name];
    if (!p)
      throw new Error(`${name}: not a parameter of this strategy; known: ${Object.keys(schema.properties).join(', ')}`);
    if (p.type === 'boolean') space[name] = { type: 'choice', values: [false, true] };
    else if (p.type === 'integer') space[name] = { type: 'int', min: p.minimum, max: p.maximum, step: p.step };
    else space[name] = { type: 'float', min: p.minimum, max: p.maximum, step: p.step };
  }
  return space;
}
