// Every route of the OpenAPI spec, called by an admin with bad input: wrong types, huge, negative and
// non-finite numbers, long and odd strings, deep JSON, NUL bytes. Any 500 fails: bad input must get a
// 4xx that says what is wrong, and the server must stay up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const ODD_STRINGS = ['', '\u0000', 'a\u0000b', 'x'.repeat(10_000), 'constructor', '__proto__', '../../etc', '%', '😀'];
const ODD_NUMBERS = [-1, 0, 1e308, -1e308, 2 ** 53 + 2, 1.5, -0.000001, 8.64e15 + 1, 1e20];
const ODD_QUERY = [
  '',
  '%00',
  'a%00b',
  'x'.repeat(5_000),
  '-1',
  '0',
  '1e999',
  'Infinity',
  '-Infinity',
  'NaN',
  '1e20',
  'constructor',
  '__proto__',
  'KRW-NOPE',
  '%ZZ',
];
const ODD_IDS = ['%00', 'abc%00', 'x'.repeat(300), 'constructor', '__proto__', '%2e%2e', 'ABC-0'];
const deep = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
const deepArray = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

interface Param {
  name: string;
  in: string;
}
interface Op {
  method: string;
  path: string;
  params: Param[];
  bodyProps: string[];
}

function oddValues(): unknown[] {
  return [...ODD_STRINGS, ...ODD_NUMBERS, null, true, [], {}, [1, 'a'], { a: { b: { c: [] } } }];
}

describe('fuzz', () => {
  it('no route answers 500 to bad input', async () => {
    const token = (await stack.authHeaders()).authorization;
    const doc = (await (await fetch(`${stack.apiUrl}/api/docs/json`)).json()) as {
      paths: Record<
        string,
        Record<
          string,
          {
            parameters?: Param[];
            requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> };
          }
        >
      >;
    };
    const ops: Op[] = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([m]) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        // Signing in with odd input is covered too, but not by changing the admin's own password.
        .map(([m, op]) => ({
          method: m.toUpperCase(),
          path,
          params: op.parameters ?? [],
          bodyProps: Object.keys(op.requestBody?.content?.['application/json']?.schema?.properties ?? {}),
        })),
    );
    const failures: string[] = [];
    let calls = 0;
    async function send(op: Op, url: string, body?: string) {
      calls++;
      const res = await fetch(`${stack.apiUrl}${url}`, {
        method: op.method,
        headers: { authorization: token, ...(body !== undefined && { 'content-type': 'application/json' }) },
        body,
      });
      const text = await res.text();
      if (res.status >= 500)
        failures.push(
          `${op.method} ${url.slice(0, 120)} ${body?.slice(0, 120) ?? ''} -> ${res.status} ${text.slice(0, 200)}`,
        );
    }
    const fill = (path: string, id: string) =>
      path
        .replace(/\{id\}/g, id)
        .replace(/\{username\}/g, id)
        .replace(/\{label\}/g, id);

    for (const op of ops) {
      const base = fill(op.path, op.path.includes('{username}') ? 'nobody' : 'abc0');
      // Path parameters.
      if (/\{\w+\}/.test(op.path))
        for (const id of ODD_IDS) await send(op, fill(op.path, id), op.method === 'GET' ? undefined : '{}');
      // Query parameters, one at a time.
      for (const p of op.params.filter((x) => x.in === 'query'))
        for (const v of ODD_QUERY) await send(op, `${base}?${p.name}=${encodeURIComponent(v).replace(/%25/g, '%')}`);
      if (op.method === 'GET' || op.method === 'DELETE') continue;
      // Whole bodies of the wrong shape, deep and huge.
      for (const body of [
        '{"a":1e999}',
        '{"name":-1e999}',
        'null',
        '[]',
        '"x"',
        '123',
        '{"a":"\\u0000"}',
        deep(5_000),
        deepArray(5_000),
        deep(100),
      ])
        await send(op, base, body);
      // Each declared field with each odd value (the rest left out).
      for (const prop of op.bodyProps) {
        if (op.path.startsWith('/api/users') && prop === 'password') continue;
        for (const v of oddValues()) await send(op, base, JSON.stringify({ [prop]: v }));
      }
    }
    expect(calls).toBeGreaterThan(500);
    // Still up.
    expect((await fetch(`${stack.apiUrl}/api/health`)).status).toBe(200);
    expect(failures).toEqual([]);
  }, 600_000);
});
