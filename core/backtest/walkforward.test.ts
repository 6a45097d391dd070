import { describe, expect, it } from 'vitest';
import { walkForwardFolds } from './walkforward';

describe('walkForwardFolds', () => {
  // Range 0..100, train 40, test 20: test windows 40-60, 60-80, 80-100.
  it('rolling: fixed-length train windows just before each test window', () => {
    const folds = walkForwardFolds({ from: 0, to: 100 }, { mode: 'rolling', trainMs: 40, testMs: 20 });
    expect(folds).toEqual([
      { index: 0, train: { from: 0, to: 40 }, test: { from: 40, to: 60 } },
      { index: 1, train: { from: 20, to: 60 }, test: { from: 60, to: 80 } },
      { index: 2, train: { from: 40, to: 80 }, test: { from: 80, to: 100 } },
    ]);
  });

  it('anchored: train always starts at the range start; test windows never overlap a train window', () => {
    const folds = walkForwardFolds({ from: 0, to: 95 }, { mode: 'anchored', trainMs: 40, testMs: 20 });
    expect(folds.map((f) => [f.train.from, f.train.to, f.test.from, f.test.to])).toEqual([
      [0, 40, 40, 60],
      [0, 60, 60, 80],
    ]);
    for (const f of folds) expect(f.train.to).toBeLessThanOrEqual(f.test.from);
  });

  it('explains why nothing fits or the spec is bad', () => {
    expect(() => walkForwardFolds({ from: 0, to: 50 }, { mode: 'rolling', trainMs: 40, testMs: 20 })).toThrow(
      /no fold fits/,
    );
    expect(() => walkForwardFolds({ from: 0, to: 50 }, { mode: 'rolling', trainMs: 0, testMs: 20 })).toThrow(/trainMs/);
    expect(() =>
      walkForwardFolds({ from: 0, to: 50 }, { mode: 'sideways' as 'rolling', trainMs: 10, testMs: 10 }),
    ).toThrow(/mode/);
  });
});
