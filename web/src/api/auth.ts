import { useSyncExternalStore } from 'react';
// The signed-in user's tokens, kept for this browser tab only (sessionStorage), and the calls that
// get them. The API client reads the access token from here and refreshes it once on a 401.

export interface AuthSession {
  token: string;
  refreshToken: string;
  username: string;
  role: 'admin' | 'viewer';
}

const KEY = 'upbit-trader.auth';
const storage = typeof sessionStorage === 'undefined' ? undefined : sessionStorage;
let current: AuthSession | null = read();
const listeners = new Set<() => void>();

function read(): AuthSession | null {
  try {
    const raw = storage?.getItem(KEY);
    return raw ? (JSON.parse(raw) as AuthSession) : null;
  } catch {
    return null;
  }
}

export function authSession(): AuthSession | null {
  return current;
}

export function setAuthSession(next: AuthSession | null) {
  current = next;
  if (next) storage?.setItem(KEY, JSON.stringify(next));
  else storage?.removeItem(KEY);
  for (const l of listeners) l();
}

export function subscribeAuth(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

async function tokenCall(path: string, body: unknown): Promise<AuthSession> {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as Partial<AuthSession> & { message?: string };
  if (!res.ok || !json.token) throw new Error(json.message ?? `HTTP ${res.status}`);
  return {
    token: json.token,
    refreshToken: json.refreshToken ?? '',
    username: json.username ?? '',
    role: json.role ?? 'viewer',
  };
}

export async function login(username: string, password: string): Promise<void> {
  setAuthSession(await tokenCall('/api/auth/login', { username, password }));
}

/** A fresh access token from the refresh token; false (and signed out) when that fails. */
export async function refreshAuth(): Promise<boolean> {
  if (!current?.refreshToken) return false;
  try {
    setAuthSession(await tokenCall('/api/auth/refresh', { refreshToken: current.refreshToken }));
    return true;
  } catch {
    setAuthSession(null);
    return false;
  }
}

/** Whether the signed-in user is an admin (a viewer sees every control disabled, with the reason). */
export function useIsAdmin(): boolean {
  return useSyncExternalStore(subscribeAuth, authSession)?.role === 'admin';
}
