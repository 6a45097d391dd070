// Typed Upbit errors: one class per documented `error.name`, plus transport-level failures.
// Every error says what was sent (method, path, parameters, never keys or tokens) and what Upbit answered,
// and whether repeating the same request may succeed (`retryable`).

/** What the client sent, with nothing secret in it. */
export interface SentRequest {
  method: string;
  path: string;
  params?: Readonly<Record<string, unknown>>;
}

export interface UpbitErrorDetails {
  request: SentRequest;
  httpStatus?: number;
  /** `error.name` from the body: a string code (exchange API) or the HTTP code as a number (quotation API). */
  upbitName?: string;
  /** `error.message` from the body, or the raw body when it was not Upbit's JSON error shape. */
  upbitMessage?: string;
  cause?: unknown;
}

function describe(request: SentRequest): string {
  const params = request.params && Object.keys(request.params).length > 0 ? ` ${JSON.stringify(request.params)}` : '';
  return `${request.method} ${request.path}${params}`;
}

export class UpbitError extends Error {
  /** Whether sending the same request again may succeed. */
  readonly retryable: boolean = false;
  readonly request: SentRequest;
  readonly httpStatus?: number;
  readonly upbitName?: string;
  readonly upbitMessage?: string;

  constructor(details: UpbitErrorDetails) {
    const answer =
      details.httpStatus === undefined
        ? `no answer${details.upbitMessage ? ` (${details.upbitMessage})` : ''}`
        : `HTTP ${details.httpStatus}${details.upbitName ? ` ${details.upbitName}` : ''}${
            details.upbitMessage ? `: ${details.upbitMessage}` : ''
          }`;
    super(
      `${describe(details.request)} -> ${answer}`,
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.name = new.target.name;
    this.request = details.request;
    this.httpStatus = details.httpStatus;
    this.upbitName = details.upbitName;
    this.upbitMessage = details.upbitMessage;
  }
}

/** A rejection that will be rejected again unless the request (or the account) changes. */
export class UpbitRejected extends UpbitError {}
/** A transient failure: the same request may succeed later. */
export class UpbitTransient extends UpbitError {
  override readonly retryable: boolean = true;
}

// --- Order and parameter rejections (400) ---
export class InsufficientFunds extends UpbitRejected {}
export class InsufficientFundsBid extends InsufficientFunds {}
export class InsufficientFundsAsk extends InsufficientFunds {}
export class UnderMinTotal extends UpbitRejected {}
export class UnderMinTotalBid extends UnderMinTotal {}
export class UnderMinTotalAsk extends UnderMinTotal {}
export class InvalidPrice extends UpbitRejected {}
export class InvalidPriceBid extends InvalidPrice {}
export class InvalidPriceAsk extends InvalidPrice {}
export class InvalidVolume extends UpbitRejected {}
export class InvalidVolumeBid extends InvalidVolume {}
export class InvalidVolumeAsk extends InvalidVolume {}
export class OverKrwFundsBid extends UpbitRejected {}
export class CreateOrderError extends UpbitRejected {}
export class CreateBidError extends CreateOrderError {}
export class CreateAskError extends CreateOrderError {}
export class InvalidTimeInForce extends UpbitRejected {}
export class InvalidPostOnly extends UpbitRejected {}
export class DuplicatedIdentifier extends UpbitRejected {}
export class InvalidParameter extends UpbitRejected {}
export class ValidationError extends UpbitRejected {}
export class NotFoundMarket extends UpbitRejected {}
export class WithdrawAddressNotRegistered extends UpbitRejected {}
/** Quotation API 400 (name is the number 400). */
export class QuotationBadRequest extends UpbitRejected {}

// --- Authentication (401) ---
export class AuthError extends UpbitRejected {}
export class InvalidQueryPayload extends AuthError {}
export class JwtVerification extends AuthError {}
export class ExpiredAccessKey extends AuthError {}
export class NonceUsed extends AuthError {}
export class NoAuthorizationIp extends AuthError {}
export class NoAuthorizationToken extends AuthError {}
export class InvalidAccessKey extends AuthError {}

// --- Permission and state (403) ---
export class OutOfScope extends AuthError {}
export class OpenApiWithdrawLocked extends UpbitRejected {}
/** Market in maintenance or not yet tradable. Rejected now; may pass after the maintenance window. */
export class MarketOffline extends UpbitRejected {}

// --- Not found (404) ---
export class NotFound extends UpbitRejected {}
export class OrderNotFound extends NotFound {}
export class PocketNotFound extends NotFound {}
export class CurrencyNotFound extends NotFound {}
/** Quotation API 404 `Code not found` (unknown market). */
export class CodeNotFound extends NotFound {}

// --- Transport and pacing ---
/** 429: over the group's budget. The client pauses the group; reads are retried, orders are left to the caller. */
export class RateLimited extends UpbitTransient {}
/**
 * 418: the IP, pocket or connection is blocked. The client stops the group until `bannedUntil` (calls
 * made before then fail at once, without being sent), so a retry with backoff is harmless and succeeds
 * once the ban is over. Always alert-worthy: normal operation must never get here.
 */
export class Banned extends UpbitError {
  override readonly retryable: boolean = true;
  readonly alert = true;
  bannedUntil = 0;
}
/** 5xx: maintenance or internal error. */
export class ServerError extends UpbitTransient {}
/** Connection refused or reset, DNS failure: the request may or may not have reached Upbit. */
export class NetworkError extends UpbitTransient {}
/** No answer in time: the request may or may not have been executed. */
export class Timeout extends NetworkError {}
/** A success status whose body is not the JSON Upbit sends. */
export class MalformedResponse extends UpbitTransient {}
/** An error status whose `error.name` this client does not know; treated as a rejection. */
export class UnknownUpbitError extends UpbitRejected {}

type ErrorClass = new (details: UpbitErrorDetails) => UpbitError;

/** Exchange API `error.name` -> class. Older spellings map to the same class. */
const BY_NAME: Readonly<Record<string, ErrorClass>> = {
  insufficient_funds_bid: InsufficientFundsBid,
  insufficient_funds_ask: InsufficientFundsAsk,
  under_min_total_bid: UnderMinTotalBid,
  under_min_total_ask: UnderMinTotalAsk,
  invalid_price_bid: InvalidPriceBid,
  invalid_price_ask: InvalidPriceAsk,
  invalid_volume_bid: InvalidVolumeBid,
  invalid_volume_ask: InvalidVolumeAsk,
  over_krw_funds_bid: OverKrwFundsBid,
  create_bid_error: CreateBidError,
  create_ask_error: CreateAskError,
  invalid_time_in_force: InvalidTimeInForce,
  invalid_post_only: InvalidPostOnly,
  duplicated_identifier: DuplicatedIdentifier,
  invalid_parameter: InvalidParameter,
  validation_error: ValidationError,
  notfoundmarket: NotFoundMarket,
  withdraw_address_not_registered: WithdrawAddressNotRegistered,
  withdraw_address_not_registerd: WithdrawAddressNotRegistered,
  invalid_query_payload: InvalidQueryPayload,
  jwt_verification: JwtVerification,
  expired_access_key: ExpiredAccessKey,
  nonce_used: NonceUsed,
  no_authorization_ip: NoAuthorizationIp,
  no_authorization_i_p: NoAuthorizationIp,
  no_authorization_token: NoAuthorizationToken,
  invalid_access_key: InvalidAccessKey,
  out_of_scope: OutOfScope,
  open_api_withdraw_locked: OpenApiWithdrawLocked,
  market_offline: MarketOffline,
  order_not_found: OrderNotFound,
  pocket_not_found: PocketNotFound,
  currency_not_found: CurrencyNotFound,
};

/** Upbit's JSON error body `{"error":{"name","message"}}`, or undefined when the body has another shape. */
export function parseErrorBody(body: string): { name: string; message?: string } | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: { name?: unknown; message?: unknown } };
    const name = parsed?.error?.name;
    if (typeof name !== 'string' && typeof name !== 'number') return undefined;
    const message = parsed.error?.message;
    return { name: String(name), message: typeof message === 'string' ? message : undefined };
  } catch {
    return undefined;
  }
}

/** The typed error for an HTTP error reply. Branches on `error.name` first, as Upbit advises, then on status. */
export function errorFromResponse(request: SentRequest, httpStatus: number, body: string): UpbitError {
  const parsed = parseErrorBody(body);
  const details: UpbitErrorDetails = {
    request,
    httpStatus,
    upbitName: parsed?.name,
    upbitMessage: parsed?.message ?? (body.length > 300 ? `${body.slice(0, 300)}...` : body || undefined),
  };
  if (httpStatus === 429) return new RateLimited(details);
  if (httpStatus === 418) return new Banned(details);
  const known = parsed ? BY_NAME[parsed.name] : undefined;
  if (known) return new known(details);
  if (httpStatus >= 500) return new ServerError(details);
  // Quotation API: the name is the HTTP code itself.
  if (httpStatus === 404) return new CodeNotFound(details);
  if (httpStatus === 400 && parsed?.name === '400') return new QuotationBadRequest(details);
  return new UnknownUpbitError(details);
}
