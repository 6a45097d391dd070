import { describe, expect, it } from 'vitest';
import { expandSimpleFrame, privateWsUrl, publicWsUrl } from './websocket';

describe('expandSimpleFrame', () => {
  it('expands SIMPLE orderbook keys, including the units', () => {
    const frame = expandSimpleFrame({
      ty: 'orderbook',
      cd: 'KRW-BTC',
      tms: 1,
      st: 'SNAPSHOT',
      tas: 2,
      tbs: 3,
      lv: 0,
      obu: [{ ap: 10, bp: 9, as: 0.5, bs: 0.25 }],
    });
    expect(frame).toEqual({
      type: 'orderbook',
      code: 'KRW-BTC',
      timestamp: 1,
      stream_type: 'SNAPSHOT',
      total_ask_size: 2,
      total_bid_size: 3,
      level: 0,
      orderbook_units: [{ ask_price: 10, bid_price: 9, ask_size: 0.5, bid_size: 0.25 }],
    });
  });

  it('reads abbreviations per type (ap is avg_price in myOrder) and expands myAsset units', () => {
    const order = expandSimpleFrame({
      ty: 'myOrder',
      cd: 'KRW-BTC',
      uid: 'u',
      s: 'trade',
      ap: 100,
      p: 99,
      v: 1,
      ev: 1,
    });
    expect(order).toMatchObject({
      type: 'myOrder',
      uuid: 'u',
      state: 'trade',
      avg_price: 100,
      price: 99,
      executed_volume: 1,
    });
    const asset = expandSimpleFrame({ ty: 'myAsset', astuid: 'a', ast: [{ cu: 'KRW', b: 5, l: 1 }], asttms: 7 });
    expect(asset).toEqual({
      type: 'myAsset',
      asset_uuid: 'a',
      assets: [{ currency: 'KRW', balance: 5, locked: 1 }],
      asset_timestamp: 7,
    });
    const candle = expandSimpleFrame({ ty: 'candle.1m', cd: 'KRW-BTC', cdttmu: '2025-01-01T00:00:00', tp: 5 });
    expect(candle).toEqual({
      type: 'candle.1m',
      code: 'KRW-BTC',
      candle_date_time_utc: '2025-01-01T00:00:00',
      trade_price: 5,
    });
  });

  it('leaves DEFAULT frames untouched', () => {
    const frame = { type: 'trade', code: 'KRW-BTC', trade_price: 1, ap: 'kept' };
    expect(expandSimpleFrame(frame)).toBe(frame);
  });
});

describe('stream URLs', () => {
  it('accepts a base with or without the /websocket/v1 path', () => {
    expect(publicWsUrl('ws://127.0.0.1:9/')).toBe('ws://127.0.0.1:9/websocket/v1');
    expect(publicWsUrl('ws://127.0.0.1:9/websocket/v1')).toBe('ws://127.0.0.1:9/websocket/v1');
    expect(privateWsUrl('ws://127.0.0.1:9/websocket/v1/private')).toBe('ws://127.0.0.1:9/websocket/v1/private');
  });
});
