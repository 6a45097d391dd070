export const TEMPORAL_CLI_VERSION: string;
export function temporalCacheDir(): string;
export function findTemporalCli(): string | undefined;
export function ensureTemporalCli(): Promise<string>;
