// The reliability tests' API client, probe session and order audit (workers/local-stack-probe.ts).
export * from '../../workers/local-stack-probe';
