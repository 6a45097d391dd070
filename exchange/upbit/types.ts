// Shapes of Upbit's REST replies. Quotation API values are JSON numbers; exchange API decimals are strings,
// kept exactly as Upbit sends them (turn them into Decimal where you compute with them).

export type OrderSide = 'bid' | 'ask';
export type OrdType = 'limit' | 'price' | 'market' | 'best';
export type TimeInForce = 'ioc' | 'fok' | 'post_only';
export type SmpType = 'cancel_maker' | 'cancel_taker' | 'reduce' | 'none';
export type OrderState = 'wait' | 'watch' | 'done' | 'cancel';

export interface MarketEvent {
  warning: boolean;
  caution: Record<string, boolean>;
}

export interface MarketInfo {
  market: string;
  korean_name: string;
  english_name: string;
  /** Only when asked with `details`. */
  market_event?: MarketEvent;
}

export type CandleUnit = 'seconds' | 'minutes' | 'days' | 'weeks' | 'months';
export type MinuteUnit = 1 | 3 | 5 | 10 | 15 | 30 | 60 | 240;

export interface Candle {
  market: string;
  /** Bucket start, `yyyy-MM-ddTHH:mm:ss` in UTC. */
  candle_date_time_utc: string;
  candle_date_time_kst: string;
  opening_price: number;
  high_price: number;
  low_price: number;
  /** Close. */
  trade_price: number;
  /** Last tick, ms epoch. */
  timestamp: number;
  candle_acc_trade_price: number;
  candle_acc_trade_volume: number;
  /** Minute candles. */
  unit?: number;
  /** Day candles. */
  prev_closing_price?: number;
  change_price?: number;
  change_rate?: number;
  converted_trade_price?: number;
  /** Week and month candles. */
  first_day_of_period?: string;
}

export interface Ticker {
  market: string;
  trade_date: string;
  trade_time: string;
  trade_date_kst: string;
  trade_time_kst: string;
  trade_timestamp: number;
  opening_price: number;
  high_price: number;
  low_price: number;
  trade_price: number;
  prev_closing_price: number;
  change: 'RISE' | 'EVEN' | 'FALL';
  change_price: number;
  change_rate: number;
  signed_change_price: number;
  signed_change_rate: number;
  trade_volume: number;
  acc_trade_price: number;
  acc_trade_price_24h: number;
  acc_trade_volume: number;
  acc_trade_volume_24h: number;
  highest_52_week_price: number;
  highest_52_week_date: string;
  lowest_52_week_price: number;
  lowest_52_week_date: string;
  timestamp: number;
}

export interface OrderbookUnit {
  ask_price: number;
  bid_price: number;
  ask_size: number;
  bid_size: number;
}

export interface Orderbook {
  market: string;
  timestamp: number;
  total_ask_size: number;
  total_bid_size: number;
  /** Unit i pairs the i-th best ask with the i-th best bid. */
  orderbook_units: OrderbookUnit[];
  level: number;
}

export interface OrderbookInstrument {
  market: string;
  quote_currency: string;
  /** Decimal string, e.g. "1000". */
  tick_size: string;
  supported_levels: string[];
}

export interface TradeTick {
  market: string;
  trade_date_utc: string;
  trade_time_utc: string;
  timestamp: number;
  trade_price: number;
  trade_volume: number;
  prev_closing_price: number;
  change_price: number;
  ask_bid: 'ASK' | 'BID';
  sequential_id: number;
}

export interface Account {
  currency: string;
  /** Available. */
  balance: string;
  /** Held by open orders. */
  locked: string;
  avg_buy_price: string;
  avg_buy_price_modified: boolean;
  unit_currency: string;
}

export interface OrderChance {
  bid_fee: string;
  ask_fee: string;
  maker_bid_fee?: string;
  maker_ask_fee?: string;
  market: {
    id: string;
    name: string;
    order_types?: string[];
    order_sides: string[];
    bid_types?: string[];
    ask_types?: string[];
    bid: { currency: string; min_total: string; price_unit?: string | null };
    ask: { currency: string; min_total: string; price_unit?: string | null };
    max_total: string;
    state: string;
  };
  bid_account: Account;
  ask_account: Account;
}

export interface Order {
  uuid: string;
  side: OrderSide;
  ord_type: OrdType;
  /** Limit price; for `price` (market buy) orders the KRW to spend; absent for market sells. */
  price?: string | null;
  state: OrderState;
  market: string;
  created_at: string;
  volume?: string | null;
  remaining_volume?: string | null;
  executed_volume: string;
  reserved_fee: string;
  remaining_fee: string;
  paid_fee: string;
  locked: string;
  trades_count: number;
  executed_funds?: string;
  prevented_volume?: string;
  prevented_locked?: string;
  time_in_force?: TimeInForce;
  smp_type?: SmpType;
  identifier?: string;
}

export interface OrderTrade {
  market: string;
  uuid: string;
  price: string;
  volume: string;
  funds: string;
  trend?: 'up' | 'down';
  created_at: string;
  side: OrderSide;
}

/** `GET /v1/order`: the order with its fills. */
export interface OrderWithTrades extends Order {
  trades: OrderTrade[];
}

export interface CreateOrderRequest {
  market: string;
  side: OrderSide;
  ord_type: OrdType;
  price?: string;
  volume?: string;
  time_in_force?: TimeInForce;
  smp_type?: SmpType;
  identifier?: string;
}

export interface CancelAndNewRequest {
  prev_order_uuid?: string;
  prev_order_identifier?: string;
  new_ord_type: OrdType;
  /** A volume, or `remain_only` for the old order's remaining volume. */
  new_volume?: string;
  new_price?: string;
  new_identifier?: string;
  new_time_in_force?: TimeInForce;
  new_smp_type?: SmpType;
}

export interface CancelAndNewResult extends Order {
  new_order_uuid: string;
  new_order_identifier?: string;
}

export interface CancelledOrderRef {
  uuid: string;
  market: string;
  identifier?: string;
}

export interface BatchCancelResult {
  success: { count: number; orders: CancelledOrderRef[] };
  failed: { count: number; orders: Array<CancelledOrderRef & { error?: { name: string; message?: string } }> };
}

/** Selects one order by its exchange uuid or by our identifier. */
export type OrderRef = { uuid: string; identifier?: never } | { identifier: string; uuid?: never };
/** Selects orders by uuids or by identifiers (not both). */
export type OrderRefs = { uuids: string[]; identifiers?: never } | { identifiers: string[]; uuids?: never };
