import { describe, expect, it } from 'vitest';
import {
  Banned,
  CodeNotFound,
  errorFromResponse,
  InsufficientFunds,
  InsufficientFundsBid,
  MarketOffline,
  NonceUsed,
  OrderNotFound,
  OutOfScope,
  QuotationBadRequest,
  RateLimited,
  ServerError,
  UnderMinTotalAsk,
  UnknownUpbitError,
  UpbitError,
} from './errors';

const sent = {
  method: 'POST',
  path: '/v1/orders',
  params: { market: 'KRW-BTC', side: 'bid', price: '100', volume: '1' },
};
const body = (name: string | number, message = 'msg') => JSON.stringify({ error: { name, message } });

describe('errorFromResponse', () => {
  it('maps exchange error names to their classes, whatever the status', () => {
    const funds = errorFromResponse(sent, 400, body('insufficient_funds_bid', '주문가능한 금액(KRW)이 부족합니다.'));
    expect(funds).toBeInstanceOf(InsufficientFundsBid);
    expect(funds).toBeInstanceOf(InsufficientFunds);
    expect(funds).toBeInstanceOf(UpbitError);
    expect(funds.retryable).toBe(false);
    expect(funds.upbitName).toBe('insufficient_funds_bid');
    expect(funds.httpStatus).toBe(400);
    expect(funds.message).toBe(
      'POST /v1/orders {"market":"KRW-BTC","side":"bid","price":"100","volume":"1"} -> HTTP 400 insufficient_funds_bid: 주문가능한 금액(KRW)이 부족합니다.',
    );
    expect(errorFromResponse(sent, 400, body('under_min_total_ask'))).toBeInstanceOf(UnderMinTotalAsk);
    expect(errorFromResponse(sent, 401, body('nonce_used'))).toBeInstanceOf(NonceUsed);
    // Upbit warns out_of_scope may come as 401 or 403.
    expect(errorFromResponse(sent, 401, body('out_of_scope'))).toBeInstanceOf(OutOfScope);
    expect(errorFromResponse(sent, 403, body('out_of_scope'))).toBeInstanceOf(OutOfScope);
    expect(errorFromResponse(sent, 403, body('market_offline'))).toBeInstanceOf(MarketOffline);
    expect(errorFromResponse(sent, 404, body('order_not_found'))).toBeInstanceOf(OrderNotFound);
  });

  it('maps quotation errors, whose name is the HTTP code', () => {
    expect(errorFromResponse(sent, 400, body(400, 'Invalid parameter. Check the given value!'))).toBeInstanceOf(
      QuotationBadRequest,
    );
    expect(errorFromResponse(sent, 404, body(404, 'Code not found'))).toBeInstanceOf(CodeNotFound);
  });

  it('classes 429 and 5xx as retryable and 418 as an alert, without parsing their bodies', () => {
    const limited = errorFromResponse(sent, 429, 'Too many API requests.');
    expect(limited).toBeInstanceOf(RateLimited);
    expect(limited.retryable).toBe(true);
    expect(limited.message).toContain('HTTP 429: Too many API requests.');
    const banned = errorFromResponse(sent, 418, '');
    expect(banned).toBeInstanceOf(Banned);
    expect((banned as Banned).alert).toBe(true);
    // Retryable after the ban: until then the client refuses without sending.
    expect(banned.retryable).toBe(true);
    const server = errorFromResponse(sent, 502, '<html>bad gateway</html>');
    expect(server).toBeInstanceOf(ServerError);
    expect(server.retryable).toBe(true);
  });

  it('keeps an unknown name visible instead of guessing', () => {
    const unknown = errorFromResponse(sent, 400, body('brand_new_rule', 'new'));
    expect(unknown).toBeInstanceOf(UnknownUpbitError);
    expect(unknown.upbitName).toBe('brand_new_rule');
    expect(unknown.retryable).toBe(false);
  });
});
