// Input no route can use, refused before validation with the field named: JSON nested deeper than
// MAX_DEPTH (validators and workflow payload code recurse), NUL characters (PostgreSQL text cannot
// hold them), and non-finite numbers (JSON's 1e999 and query strings like "Infinity", which Ajv's
// coercion lets past minimum/maximum).
import type { FastifyInstance } from 'fastify';
import { HttpError } from './context';

export const MAX_DEPTH = 32;

/** The first problem in `value` (walked without recursion), or null. */
export function inputProblem(root: unknown, rootName: string, fromQuery = false): string | null {
  const stack: [unknown, string, number][] = [[root, rootName, 0]];
  while (stack.length) {
    const [value, path, depth] = stack.pop() as [unknown, string, number];
    if (depth > MAX_DEPTH) return `${rootName}: nested deeper than ${MAX_DEPTH} levels`;
    if (typeof value === 'number' && !Number.isFinite(value)) return `${path}: must be a finite number`;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return `${path}: must not contain NUL characters`;
      if (fromQuery && /^\s*[+-]?(Infinity|NaN)\s*$/.test(value)) return `${path}: must be a finite number`;
      if (fromQuery && /^\s*[+-]?[\d.]+e[+-]?\d+\s*$/i.test(value) && !Number.isFinite(Number(value)))
        return `${path}: must be a finite number`;
    }
    if (value !== null && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) stack.push([v, `${path}.${k}`, depth + 1]);
  }
  return null;
}

export function installInputGuard(app: FastifyInstance) {
  app.addHook('preValidation', async (req) => {
    const problem =
      inputProblem(req.params, 'params', true) ??
      inputProblem(req.query, 'query', true) ??
      inputProblem(req.body, 'body');
    if (problem) throw new HttpError(400, problem);
  });
}
