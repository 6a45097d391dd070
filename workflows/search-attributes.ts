import { defineSearchAttributeKey } from '@temporalio/common';

// Search attributes are never encrypted: keep them to ids, mode, status and strategy.
export const SA_SESSION_ID = defineSearchAttributeKey('SessionId', 'KEYWORD');
export const SA_TRADING_MODE = defineSearchAttributeKey('TradingMode', 'KEYWORD');
export const SA_SESSION_STATUS = defineSearchAttributeKey('SessionStatus', 'KEYWORD');
export const SA_STRATEGY = defineSearchAttributeKey('Strategy', 'KEYWORD');

export const SEARCH_ATTRIBUTES = [SA_SESSION_ID, SA_TRADING_MODE, SA_SESSION_STATUS, SA_STRATEGY];
