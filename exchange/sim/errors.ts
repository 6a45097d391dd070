/**
 * Upbit error replies. Quotation errors carry the HTTP status as an integer `name` and a fixed English
 * message; exchange errors carry a string code and (usually Korean) message. Bodies: {"error":{...}}.
 */
export class UpbitError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | number,
    message: string,
  ) {
    super(message);
  }

  body(): { error: { name: string | number; message: string } } {
    return { error: { name: this.code, message: this.message } };
  }
}

/** Quotation (public REST) errors. */
export const quotationError = {
  invalidParameter: () => new UpbitError(400, 400, 'Invalid parameter. Check the given value!'),
  typeMismatch: () => new UpbitError(400, 400, 'Type mismatch error. Check the parameters type!'),
  missingParameter: () => new UpbitError(400, 400, 'Missing request parameter error. Check the required parameters!'),
  codeNotFound: () => new UpbitError(404, 404, 'Code not found'),
};

/**
 * Exchange (authenticated REST) errors. Names and statuses follow the Upbit reference; messages are the
 * descriptions its error table gives.
 */
export const exchangeError = {
  noAuthorizationToken: () => new UpbitError(401, 'no_authorization_token', '인증된 토큰이 없습니다.'),
  invalidQueryPayload: () => new UpbitError(401, 'invalid_query_payload', 'JWT 헤더의 페이로드가 올바르지 않습니다.'),
  jwtVerification: () => new UpbitError(401, 'jwt_verification', 'JWT 헤더 검증에 실패했습니다.'),
  expiredAccessKey: () => new UpbitError(401, 'expired_access_key', 'API 키가 만료되었습니다.'),
  nonceUsed: () => new UpbitError(401, 'nonce_used', '이미 요청한 nonce값이 다시 사용되었습니다.'),
  invalidAccessKey: () => new UpbitError(401, 'invalid_access_key', '잘못된 엑세스 키입니다.'),
  outOfScope: () => new UpbitError(401, 'out_of_scope', '허용되지 않은 기능입니다.'),
  validation: (detail = '잘못된 API 요청입니다.') => new UpbitError(400, 'validation_error', detail),
  invalidParameter: (detail = '잘못된 파라미터입니다.') => new UpbitError(400, 'invalid_parameter', detail),
  notFoundMarket: () => new UpbitError(400, 'notfoundmarket', '마켓 정보가 존재하지 않습니다.'),
  duplicatedIdentifier: () => new UpbitError(400, 'duplicated_identifier', '중복된 identifier 입니다.'),
  invalidTimeInForce: () => new UpbitError(400, 'invalid_time_in_force', '잘못된 주문 조건입니다.'),
  invalidPostOnly: () =>
    new UpbitError(400, 'invalid_post_only', 'post_only 주문은 smp_type과 함께 사용할 수 없습니다.'),
  createError: (side: 'bid' | 'ask') =>
    new UpbitError(400, `create_${side}_error`, '주문 요청 정보가 올바르지 않습니다.'),
  insufficientFunds: (side: 'bid' | 'ask', currency: string) =>
    new UpbitError(400, `insufficient_funds_${side}`, `주문가능한 금액(${currency})이 부족합니다.`),
  underMinTotal: (side: 'bid' | 'ask', minTotal: string, currency: string) =>
    new UpbitError(400, `under_min_total_${side}`, `최소주문금액 이상으로 주문해주세요. (${minTotal} ${currency})`),
  overMaxTotal: () => new UpbitError(400, 'over_krw_funds_bid', '최대주문금액 이하로 주문해주세요.'),
  invalidPrice: (side: 'bid' | 'ask') =>
    new UpbitError(400, `invalid_price_${side}`, '주문가격 단위를 잘못 입력하셨습니다. 확인 후 시도해주세요.'),
  orderNotFound: () => new UpbitError(404, 'order_not_found', '주문을 찾지 못했습니다.'),
  // Message as in the reference's example (with its literal backslash-n).
  marketOffline: () =>
    new UpbitError(
      403,
      'market_offline',
      '시스템 점검 중입니다. 점검이 완료된 후에 다시 시도해주세요. \\n자세한 내용은 공지사항을 참고 부탁드립니다.',
    ),
  /**
   * A market order beyond the 30 visible levels. Upbit documents the refusal but not its error name; this
   * is the closest documented shape (the per-side order-creation refusal), with the simulator's message.
   */
  beyondVisibleBook: (side: 'bid' | 'ask') =>
    new UpbitError(
      400,
      `create_${side}_error`,
      side === 'bid'
        ? '시장가 매수 주문 총액이 매도 1~30호가의 대기 주문 총액보다 큽니다.'
        : '시장가 매도 주문 수량이 매수 1~30호가의 대기 주문 총 수량보다 큽니다.',
    ),
  internal: () => new UpbitError(500, 'internal_server_error', '서버 내부 오류가 발생했습니다.'),
};
