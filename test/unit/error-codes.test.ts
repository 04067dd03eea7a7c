import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ERROR_CODES_DESCRIPTION } from '../../api/error-codes';
import { PROJECT_ROOT } from '../../config/paths';

const sources = (dir: string): string[] =>
  readdirSync(path.join(PROJECT_ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(path.join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [path.join(dir, entry.name)]
        : [],
  );

// One style of error code, listed once: whatever code the API's source sends is in ERROR_CODES, which the OpenAPI
// document lists on every error answer.
describe('API error codes', () => {
  it('are snake_case, every one the source sends is listed, and the list is what the OpenAPI document shows', () => {
    const sent = new Set<string>();
    for (const file of sources('api')) {
      const text = readFileSync(path.join(PROJECT_ROOT, file), 'utf8');
      for (const [, code] of text.matchAll(/new ApiError\(\s*\d{3},\s*'([^']+)'/g)) sent.add(code!);
      for (const [, code] of text.matchAll(/\.send\(\{\s*code: '([^']+)'/g)) sent.add(code!);
      for (const [, code] of text.matchAll(/\[\d{3}, '([^']+)'/g)) sent.add(code!);
    }
    expect(sent.size, 'the scan found the codes').toBeGreaterThan(20);
    expect([...sent].filter((code) => !(code in ERROR_CODES))).toEqual([]);
    expect(Object.keys(ERROR_CODES).filter((code) => !/^[a-z]+(_[a-z]+)*$/.test(code))).toEqual([]);
    for (const code of Object.keys(ERROR_CODES)) expect(ERROR_CODES_DESCRIPTION).toContain(`\`${code}\``);
  });
});
