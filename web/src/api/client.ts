import { authSession, refreshAuth } from './auth';

/** An API call that did not succeed: the HTTP status (0 when the server was unreachable) and the server's reason. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Query = Record<string, string | number | undefined>;

/** `/api/orders` + `{ sessionId: 'x', limit: 50 }` → `/api/orders?sessionId=x&limit=50`; undefined and '' are left out. */
export function apiPath(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

function send(method: string, path: string, body: unknown): Promise<Response> {
  const token = authSession()?.token;
  return fetch(path, {
    method,
    headers: {
      accept: 'application/json',
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/**
 * Calls the API with the signed-in user's token and returns its JSON (undefined for an empty body,
 * e.g. a 202); throws ApiError otherwise. An expired token is refreshed once.
 */
export async function apiRequest<T>(
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  let response: Response;
  try {
    response = await send(method, path, body);
    if (response.status === 401 && (await refreshAuth())) response = await send(method, path, body);
  } catch (err) {
    throw new ApiError(0, 'unreachable', `API unreachable: ${(err as Error).message}`, path);
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const error = json as { error?: unknown; message?: unknown } | undefined;
    const code = typeof error?.error === 'string' ? error.error : response.statusText || 'error';
    const message =
      typeof error?.message === 'string' ? error.message : text.slice(0, 200) || `HTTP ${response.status} from ${path}`;
    throw new ApiError(response.status, code, message, path);
  }
  if (text && json === undefined) {
    throw new ApiError(response.status, 'bad_response', `expected JSON from ${path}, got: ${text.slice(0, 80)}`, path);
  }
  return json as T;
}
