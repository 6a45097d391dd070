import { describe, expect, it } from 'vitest';
import { en } from './en';
import { initialLanguage } from './index';
import { ko } from './ko';

/** `{ a: { b: 'x' } }` → `['a.b']`. */
function keys(dict: object, prefix = ''): string[] {
  return Object.entries(dict).flatMap(([k, v]) =>
    typeof v === 'string' ? [`${prefix}${k}`] : keys(v as object, `${prefix}${k}.`),
  );
}

/** `'Hi {{name}} <code>x</code>'` → `['<code>', 'name']`: what a translation must keep. */
function placeholders(text: string): string[] {
  const vars = [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]);
  const tags = [...text.matchAll(/<(\w+)>/g)].map((m) => `<${m[1]}>`);
  return [...new Set([...vars, ...tags])].sort();
}

function lookup(dict: object, key: string): string {
  return key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], dict) as string;
}

describe('dictionaries', () => {
  it('Korean and English have the same keys', () => {
    expect(keys(ko).sort()).toEqual(keys(en).sort());
    expect(keys(en).length).toBeGreaterThan(100);
  });

  it('every translation keeps the placeholders and tags of the English text, and none is empty', () => {
    for (const key of keys(en)) {
      expect(placeholders(lookup(ko, key)), key).toEqual(placeholders(lookup(en, key)));
      expect(lookup(ko, key).trim(), key).not.toBe('');
    }
  });
});

describe('first language', () => {
  it('takes the stored choice first', () => {
    expect(initialLanguage('en', ['ko-KR'])).toBe('en');
    expect(initialLanguage('ko', ['en-US'])).toBe('ko');
  });

  it('follows the browser: Korean when it prefers Korean, else English', () => {
    expect(initialLanguage(null, ['ko-KR', 'en-US'])).toBe('ko');
    expect(initialLanguage(null, ['en-US', 'ko'])).toBe('en');
    expect(initialLanguage(null, ['ja-JP', 'ko'])).toBe('ko');
    expect(initialLanguage(undefined, ['fr-FR'])).toBe('en');
    expect(initialLanguage('de', [])).toBe('en');
  });
});
