// Input no route can use, refused before validation with the field named: JSON nested deeper than
// MAX_DEPTH (validators and workflow payload code recurse), NUL characters (PostgreSQL text cannot
// hold them), and non-finite numbers (JSON's 1e999, and query strings or path parameters like "Infinity"
// where the route's schema wants a number: Ajv's coercion would let them past minimum/maximum). A
// parameter the schema keeps as text is never read as a number: a session id such as 8e56675492 is an id.
import type { FastifyInstance } from 'fastify';
import { HttpError } from './context';

export const MAX_DEPTH = 32;

/**
 * The first problem in `value` (walked without recursion), or null. `numeric`: the top-level fields that will be
 * converted to numbers (a query string's or path's fields whose schema type is number or integer).
 */
export function inputProblem(root: unknown, rootName: string, numeric: ReadonlySet<string> = NONE): string | null {
  const stack: [unknown, string, number, boolean][] = [[root, rootName, 0, false]];
  while (stack.length) {
    const [value, path, depth, toNumber] = stack.pop() as [unknown, string, number, boolean];
    if (depth > MAX_DEPTH) return `${rootName}: nested deeper than ${MAX_DEPTH} levels`;
    if (typeof value === 'number' && !Number.isFinite(value)) return `${path}: must be a finite number`;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return `${path}: must not contain NUL characters`;
      if (toNumber && /^\s*[+-]?(Infinity|NaN)\s*$/.test(value)) return `${path}: must be a finite number`;
      if (toNumber && /^\s*[+-]?[\d.]+e[+-]?\d+\s*$/i.test(value) && !Number.isFinite(Number(value)))
        return `${path}: must be a finite number`;
    }
    if (value !== null && typeof value === 'object')
      for (const [k, v] of Object.entries(value))
        stack.push([v, `${path}.${k}`, depth + 1, depth === 0 ? numeric.has(k) : toNumber]);
  }
  return null;
}

const NONE: ReadonlySet<string> = new Set();

/** Per route schema, read once: the guard runs before every request. */
const numericFieldsOf = new WeakMap<object, ReadonlySet<string>>();

/** The fields of a params or querystring schema that Ajv converts to numbers. */
export function numericFields(schema: unknown): ReadonlySet<string> {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> } | undefined)?.properties;
  if (!properties) return NONE;
  let fields = numericFieldsOf.get(properties);
  if (!fields) {
    const numeric = (type: unknown) => [type].flat().some((t) => t === 'number' || t === 'integer');
    fields = new Set(Object.keys(properties).filter((k) => numeric(properties[k]?.type)));
    numericFieldsOf.set(properties, fields);
  }
  return fields;
}

export function installInputGuard(app: FastifyInstance) {
  app.addHook('preValidation', async (req) => {
    const schema = req.routeOptions.schema;
    const problem =
      inputProblem(req.params, 'params', numericFields(schema?.params)) ??
      inputProblem(req.query, 'query', numericFields(schema?.querystring)) ??
      inputProblem(req.body, 'body');
    if (problem) throw new HttpError(400, problem);
  });
}
