export * from './account-value';
export * from './config';
export * from './edge';
export * from './exit-plan';
export * from './limits';
export * from './sizing';
export type * from './types';
