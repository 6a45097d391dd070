// The ids live in the contract module (core/contract/ids.ts): the API, the activities and the workers use them too.
export * from '../core/contract/ids';
