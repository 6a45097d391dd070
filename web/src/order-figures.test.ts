import { describe, expect, it } from 'vitest';
import { i18next, setLanguage } from './i18n';
import { fillRatioPct, formatAge } from './order-figures';

describe('open order figures', () => {
  it('says an age in the largest units that matter, in the chosen language', async () => {
    await setLanguage('en');
    const t = i18next.t.bind(i18next);
    expect(formatAge(42_900, t)).toBe('42 s');
    expect(formatAge(185_000, t)).toBe('3 min 05 s');
    expect(formatAge(2 * 3_600_000 + 10 * 60_000 + 59_000, t)).toBe('2 h 10 min');
    // A clock a little behind the server's never shows a negative age.
    expect(formatAge(-500, t)).toBe('0 s');
    await setLanguage('ko');
    expect(formatAge(185_000, i18next.t.bind(i18next))).toBe('3분 05초');
  });

  it('gives the filled share of the volume, and none for a market buy by amount', () => {
    expect(fillRatioPct({ volume: '0.5', executedVolume: '0.125' })).toBe(25);
    expect(fillRatioPct({ volume: '1', executedVolume: '0' })).toBe(0);
    expect(fillRatioPct({ volume: null, executedVolume: '0.1' })).toBeNull();
  });
});
