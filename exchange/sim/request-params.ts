// Reads the parameters of an Exchange API request wherever real Upbit clients put them, and the
// string their query_hash must cover. Upbit's own docs send GET/DELETE parameters in the query and
// POST parameters in a JSON body, but clients in the wild also send GET/DELETE parameters in a
// form-encoded or JSON body (pyupbit: chance, order, orders, cancel) and POST parameters in the query.
import { Dec } from './accounts';
import { hashInputOfBody, hashInputOfQuery } from './auth';
import { exchangeError, quotationError } from './errors';

export interface ExchangeParams {
  /** Every parameter, the query's first, then the body's; repeated keys stay repeated. */
  params: URLSearchParams;
  /** The same parameters as an object (POST handlers): body values keep their JSON types. */
  body: Record<string, unknown>;
  /** The string the token's query_hash must cover, or null when the request has no parameters. */
  hashInput: string | null;
}

/** Parameters Upbit takes as one comma-separated list; a key repeated instead is the same list. */
const COMMA_LISTS = ['markets', 'quote_currencies', 'pairs', 'excluded_pairs', 'exclude_pairs'];
/** Boolean parameters: clients write them true/false in any case (Python's str(True) is "True"). */
const BOOLEANS = ['is_details', 'isDetails'];
/** Order amounts: clients may write them in exponent notation (Python's str(0.00007146) is "7.146e-05"). */
const AMOUNTS = ['price', 'volume', 'new_price', 'new_volume'];
// At most three exponent digits: "1e999999999" written out in full would be a gigabyte string.
const EXPONENT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)[eE][+-]?\d{1,3}$/;

/**
 * Repeated keys of comma-list parameters joined into one list, booleans lower-cased. Shared by the
 * quotation API (query only) and the exchange API (query and body).
 */
export function normalizeParams(params: URLSearchParams, bad: () => Error): URLSearchParams {
  const out = new URLSearchParams();
  const joined = new Set<string>();
  for (const [key, value] of params) {
    if (COMMA_LISTS.includes(key)) {
      if (joined.has(key)) continue;
      joined.add(key);
      out.append(key, params.getAll(key).join(','));
    } else if (BOOLEANS.includes(key)) {
      const lower = value.toLowerCase();
      if (lower !== 'true' && lower !== 'false') throw bad();
      out.append(key, lower);
    } else out.append(key, value);
  }
  return out;
}

/** Quotation (public) requests: parameters in the query only, as Upbit documents them. */
export function quotationParams(rawQuery: string): URLSearchParams {
  return normalizeParams(new URLSearchParams(rawQuery), quotationError.typeMismatch);
}

type BodyKind = 'json' | 'form';

function bodyKind(contentType: string | undefined, rawBody: string): BodyKind {
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('json')) return 'json';
  if (type.includes('x-www-form-urlencoded')) return 'form';
  // No (or another) declared type: what the body itself looks like.
  return rawBody.trimStart().startsWith('{') ? 'json' : 'form';
}

function parseJsonObject(rawBody: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    throw exchangeError.validation();
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw exchangeError.validation();
  return body as Record<string, unknown>;
}

function scalar(v: unknown): string {
  if (typeof v === 'object') throw exchangeError.validation();
  return String(v);
}

/** An exponent-notation amount in plain decimal notation; anything else unchanged. */
function plainAmount(v: unknown): unknown {
  return typeof v === 'string' && EXPONENT_RE.test(v) ? new Dec(v).toFixed() : v;
}

/**
 * Parses an authenticated request. `rawBody` is the body as received ('' when none). POST bodies are
 * JSON: Upbit ended form-encoded POST bodies on 2022-03-01 (REST API guide), so a form POST body is a
 * validation_error as before.
 */
export function exchangeParams(
  method: string,
  rawQuery: string,
  rawBody: string,
  contentType: string | undefined,
): ExchangeParams {
  const query = new URLSearchParams(rawQuery);
  const hashParts: string[] = rawQuery ? [hashInputOfQuery(rawQuery)] : [];
  const params = new URLSearchParams(query);
  let bodyObject: Record<string, unknown> = {};
  if (rawBody.trim()) {
    const kind = bodyKind(contentType, rawBody);
    if (kind === 'form' && method === 'POST') throw exchangeError.validation();
    if (kind === 'json') {
      bodyObject = parseJsonObject(rawBody);
      // One value per name: a parameter in both the query and the body would be read from one of them only.
      if (Object.keys(bodyObject).some((k) => query.has(k))) throw exchangeError.validation();
      for (const [k, v] of Object.entries(bodyObject)) {
        // A null is an absent parameter, as in an order body.
        for (const x of Array.isArray(v) ? v : [v]) if (x !== null) params.append(k, scalar(x));
      }
      if (Object.keys(bodyObject).length) hashParts.push(hashInputOfBody(bodyObject));
    } else {
      for (const [k, v] of new URLSearchParams(rawBody)) {
        if (query.has(k)) throw exchangeError.validation();
        params.append(k, v);
      }
      hashParts.push(hashInputOfQuery(rawBody));
    }
  }
  const normalized = normalizeParams(params, exchangeError.validation);
  // The object view: JSON body values as sent, query parameters as strings (a repeated one: a list).
  const body: Record<string, unknown> = {};
  for (const key of new Set(normalized.keys())) {
    if (key in bodyObject) continue;
    const all = normalized.getAll(key);
    body[key] = all.length > 1 ? all : all[0];
  }
  Object.assign(body, bodyObject);
  for (const key of AMOUNTS) if (key in body) body[key] = plainAmount(body[key]);
  return { params: normalized, body, hashInput: hashParts.length ? hashParts.join('&') : null };
}

/** A whole-number parameter from 1 to `max` (`def` when absent); anything else is a validation_error. */
export function positiveIntParam(q: URLSearchParams, name: string, def: number, max: number): number {
  const raw = q.get(name);
  if (raw === null || raw === '') return def;
  if (!/^\d+$/.test(raw)) throw exchangeError.validation();
  const v = Number(raw);
  if (v < 1 || v > max) throw exchangeError.validation();
  return v;
}
