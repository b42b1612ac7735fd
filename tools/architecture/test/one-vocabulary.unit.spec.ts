/**
 * One definition of each shared name (leak id, statuses, risks, roles, the secret fingerprint): they live in
 * libs/shared/contracts/src/vocabulary.ts. A second literal copy anywhere in production code is how a status
 * added in one context and not another becomes a silent bug at a context boundary — so this test looks for one.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');
const HOME = 'libs/shared/contracts/src/vocabulary.ts';

function productionFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const rel = path.join(dir, name);
    if (name === 'node_modules' || name === 'test' || name.endsWith('.spec.ts')) return [];
    if (statSync(path.join(root, rel)).isDirectory()) return productionFiles(rel);
    return rel.endsWith('.ts') ? [rel] : [];
  });
}

const files = [...productionFiles('libs'), ...productionFiles('apps'), ...productionFiles('tools/cli')].filter((f) => f !== HOME);

const COPIES: Array<[string, RegExp]> = [
  ['the leak id pattern', /\[0-9a-f\]\{32\}/],
  ['the status list', /\[\s*'open',\s*'fixed',\s*'false_positive'\s*\]/],
  ['the risk list', /\[\s*'(critical|low)',\s*'(high|medium)',\s*'(medium|high)',\s*'(low|critical)'\s*\]/],
  ['the role list', /\[\s*'global_admin',\s*'global_analyst',\s*'admin',\s*'analyst'\s*\]/],
  ['an inline global-role check', /role === 'global_admin' \|\| [\w.]*role === 'global_analyst'/],
  ["a token fingerprint of its own (createHash('sha256')…(token|secret…)", /createHash\('sha256'\)\.update\((token|secret|value|input\.secret)\b/],
];

describe('one vocabulary', () => {
  it('finds the production files to check', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(readFileSync(path.join(root, HOME), 'utf8')).toMatch(COPIES[0][1]);
  });

  it.each(COPIES)('%s is defined only in the shared vocabulary', (_what, pattern) => {
    const copies = files.filter((file) => pattern.test(readFileSync(path.join(root, file), 'utf8')));
    // The embeddable blocklist client has no dependency on the monorepo by design (a gateway vendors it);
    // apps/leakwatch/test/gateway-integrations.e2e.spec.ts proves it blocks the tokens the server patched.
    expect(copies.filter((file) => !file.startsWith('libs/gateway/blocklist-client/'))).toEqual([]);
  });
});
