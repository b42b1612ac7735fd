import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_MAX_HEAP_MB, leakwatchNodeFlags } from '../src/node-flags';

describe('leakwatchNodeFlags', () => {
  it('limits the old space to 1 GiB by default, or to LEAKWATCH_MAX_HEAP_MB', () => {
    expect(leakwatchNodeFlags({})).toEqual(['--max-old-space-size=1024']);
    expect(leakwatchNodeFlags({ LEAKWATCH_MAX_HEAP_MB: '' })).toEqual(['--max-old-space-size=1024']);
    expect(leakwatchNodeFlags({ LEAKWATCH_MAX_HEAP_MB: '2048' })).toEqual(['--max-old-space-size=2048']);
  });

  it('refuses a value that is not a whole number of MiB, naming the variable', () => {
    for (const value of ['abc', '1.5', '-1', '10', '1e3x']) expect(() => leakwatchNodeFlags({ LEAKWATCH_MAX_HEAP_MB: value })).toThrow(/LEAKWATCH_MAX_HEAP_MB/);
  });

  it('is what `npm start` and `npm run start:service` pass too (tests and benchmarks run Leakwatch as users do)', () => {
    const scripts = JSON.parse(readFileSync(path.join(__dirname, '../../../../package.json'), 'utf8')).scripts as Record<string, string>;
    for (const name of ['start', 'start:service']) expect(scripts[name]).toContain(`--max-old-space-size=\${LEAKWATCH_MAX_HEAP_MB:-${DEFAULT_MAX_HEAP_MB}}`);
  });
});
