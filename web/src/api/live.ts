// The dashboard's end of the live-update stream (GET /api/events/stream, Server-Sent Events). The
// browser's EventSource cannot send the Authorization header, so the stream is read with fetch. Each
// event invalidates the queries that show what changed; a lost stream is reopened with backoff, and
// every (re)connect refreshes those queries once, since changes may have been missed meanwhile.
import { type QueryClient, useQueryClient } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import type { LiveEventType } from '../../../api/routes/live';
import { authSession, refreshAuth } from './auth';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting';

/** Query keys (prefixes) each kind of change makes stale. */
const STALE: Record<LiveEventType, string[][]> = {
  risk_event: [['risk-events']],
  order: [['orders'], ['session'], ['accounts'], ['fills'], ['holdings']],
  position: [['positions'], ['session'], ['holdings'], ['overview']],
  session: [['sessions'], ['session'], ['overview']],
};
const ALL_KEYS = [
  ...new Set(
    Object.values(STALE)
      .flat()
      .map((k) => k[0]),
  ),
].map((k) => [k]);

const BACKOFF_MS = [500, 1_000, 2_000, 5_000, 10_000];
/** Heartbeats come every 15 s; this long without a byte means the stream is dead though still open. */
const SILENCE_MS = 40_000;

let status: LiveStatus = 'connecting';
const listeners = new Set<() => void>();
function setStatus(next: LiveStatus) {
  if (next === status) return;
  status = next;
  for (const l of listeners) l();
}
const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

/** Whether the stream is open now: the lists it covers poll only as a safety net then. */
export const isLive = () => status === 'live';

/** The stream's state, for the header's indicator. */
export const useLiveStatus = () => useSyncExternalStore(subscribe, () => status);

/** Keeps the stream open while mounted (once, in the page frame). */
export function useLiveUpdates() {
  const queries = useQueryClient();
  useEffect(() => {
    const stop = new AbortController();
    void run(queries, stop.signal);
    return () => stop.abort();
  }, [queries]);
}

async function run(queries: QueryClient, stop: AbortSignal) {
  let failures = 0;
  while (!stop.aborted) {
    const opened = await readStream(queries, stop).catch(() => false);
    if (stop.aborted) break;
    failures = opened ? 1 : failures + 1;
    setStatus('reconnecting');
    const wait = BACKOFF_MS[Math.min(failures, BACKOFF_MS.length) - 1];
    await new Promise((r) => setTimeout(r, wait));
  }
  setStatus('connecting');
}

/** Reads one stream until it ends; true when it was open (so the next try starts with a short wait). */
async function readStream(queries: QueryClient, stop: AbortSignal): Promise<boolean> {
  const attempt = new AbortController();
  const abort = () => attempt.abort();
  stop.addEventListener('abort', abort);
  let silence: ReturnType<typeof setTimeout> | undefined;
  const watch = () => {
    clearTimeout(silence);
    silence = setTimeout(abort, SILENCE_MS);
  };
  try {
    const open = () =>
      fetch('/api/events/stream', {
        headers: { accept: 'text/event-stream', authorization: `Bearer ${authSession()?.token ?? ''}` },
        signal: attempt.signal,
      });
    let res = await open();
    // An expired access token: refresh once (a failed refresh signs out, which unmounts this).
    if (res.status === 401 && (await refreshAuth())) res = await open();
    if (!res.ok || !res.body) return false;
    setStatus('live');
    for (const key of ALL_KEYS) void queries.invalidateQueries({ queryKey: key });
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    watch();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return true;
      watch();
      buffer += value;
      // Events end with a blank line; the last piece may be incomplete.
      const blocks = buffer.split('\n\n');
      buffer = blocks.pop() ?? '';
      for (const block of blocks) {
        const type = /^event: ?(.*)$/m.exec(block)?.[1] as LiveEventType | undefined;
        for (const key of (type && STALE[type]) || []) void queries.invalidateQueries({ queryKey: key });
      }
    }
  } finally {
    clearTimeout(silence);
    stop.removeEventListener('abort', abort);
  }
}
