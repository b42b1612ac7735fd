import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

// The lint folder rule for Node I/O modules covers libs/*/domain only; this keeps the policy import-free here too.
// The one outside import allowed is the shared vocabulary (role names), which is plain data.
const ALLOWED = new Set(['@leakwatch/contracts']);
describe('authz purity', () => {
  const srcDir = join(__dirname, '..', 'src');
  it.each(readdirSync(srcDir).filter((file) => file.endsWith('.ts')))('%s imports only sibling files and the shared vocabulary', (file) => {
    const source = readFileSync(join(srcDir, file), 'utf8');
    const specifiers = [...source.matchAll(/(?:\bfrom\s+|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]);
    expect(specifiers.filter((s) => !s.startsWith('./') && !ALLOWED.has(s))).toEqual([]);
  });
});
