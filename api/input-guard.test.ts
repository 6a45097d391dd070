import { describe, expect, it } from 'vitest';
import { inputProblem, numericFields } from './input-guard';

describe('inputProblem', () => {
  it('refuses a non-finite number only where the schema converts the field to a number', () => {
    const numeric = numericFields({ properties: { limit: { type: 'integer' }, id: { type: 'string' } } });
    expect([...numeric]).toEqual(['limit']);
    expect(inputProblem({ limit: '1e999' }, 'query', numeric)).toBe('query.limit: must be a finite number');
    expect(inputProblem({ limit: '-Infinity' }, 'query', numeric)).toBe('query.limit: must be a finite number');
    expect(inputProblem({ limit: '1e3' }, 'query', numeric)).toBeNull();
    // Text stays text: ids, names and free text that happen to look like huge numbers.
    expect(inputProblem({ id: '8e56675492' }, 'params', numeric)).toBeNull();
    expect(inputProblem({ id: 'Infinity' }, 'params', numeric)).toBeNull();
    expect(inputProblem({ id: '8e56675492' }, 'params')).toBeNull();
  });

  it('takes a field typed number or integer, alone or among other types, and nothing from a schema without fields', () => {
    expect([
      ...numericFields({
        properties: { a: { type: 'number' }, b: { type: ['integer', 'null'] }, c: { type: 'boolean' }, d: {} },
      }),
    ]).toEqual(['a', 'b']);
    expect(numericFields(undefined).size).toBe(0);
    expect(numericFields({ type: 'object' }).size).toBe(0);
  });

  it('still refuses NUL characters, deep nesting and non-finite JSON numbers anywhere', () => {
    expect(inputProblem({ name: 'a\u0000b' }, 'body')).toBe('body.name: must not contain NUL characters');
    expect(inputProblem({ id: 'a\u0000' }, 'params')).toBe('params.id: must not contain NUL characters');
    expect(inputProblem({ x: { y: Number.POSITIVE_INFINITY } }, 'body')).toBe('body.x.y: must be a finite number');
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = { d: deep };
    expect(inputProblem(deep, 'body')).toBe('body: nested deeper than 32 levels');
  });
});
