// The Upbit client's public surface; see README.md beside this file.
export { type KeyProvider, UpbitClient, type UpbitClientOptions, type UpbitLogger } from './client';
export * from './errors';
export { fetchMarketRules, type MarketRules, marketRulesFrom } from './market-rules';
export { DOCUMENTED_LIMITS, RateLimiter, type RateLimitGroup } from './rate-limit';
export type { ApiKeys } from './signing';
export type * from './types';
export * from './websocket';
