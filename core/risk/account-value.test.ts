import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { valueAccount } from './account-value';

const line = (currency: string, balance: string, locked = '0') => ({ currency, balance, locked });

describe('valueAccount', () => {
  it('values balance plus locked at each market price, counts KRW locked in bids, and names what it cannot price', () => {
    const value = valueAccount(
      [line('KRW', '1000000', '250000'), line('BTC', '0.01', '0.005'), line('XRP', '0'), line('AIRDROP', '7')],
      new Map([['KRW-BTC', '140000000']]),
    );
    expect(value.freeKrw).toBe('1000000');
    expect(value.coinExposureKrw).toEqual({ 'KRW-BTC': '2100000' });
    expect(value.exposureKrw).toBe('2350000');
    expect(value.equityKrw).toBe('3350000');
    // A zero line is nothing held; a coin without a price is listed, not valued at 0.
    expect(value.unpriced).toEqual([{ currency: 'AIRDROP', volume: '7' }]);
  });

  it('is exact in decimal and writes no exponent', () => {
    const value = valueAccount([line('KRW', '0.1'), line('DOGE', '0.00000003')], new Map([['KRW-DOGE', '0.2']]));
    expect(value.coinExposureKrw['KRW-DOGE']).toBe('0.000000006');
    expect(new Decimal(value.equityKrw).eq('0.100000006')).toBe(true);
  });
});
