// The whole system on loopback (workers/local-stack.ts): the integration tests start it from here.
export * from '../workers/local-stack';
