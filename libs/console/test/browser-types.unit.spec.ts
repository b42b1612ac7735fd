/**
 * The browser half of the console is TypeScript with DOM types, which the repository-wide typecheck (Node,
 * no DOM) does not include: this test type-checks it with its own tsconfig, so `npm test` catches a type
 * error there too.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

it('type-checks src/browser with libs/console/tsconfig.browser.json', () => {
  const root = path.resolve(__dirname, '../../..');
  const tsc = require.resolve('typescript/bin/tsc');
  let output = '';
  try {
    execFileSync(process.execPath, [tsc, '-p', 'libs/console/tsconfig.browser.json'], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    output = String((error as { stdout?: string }).stdout ?? error);
  }
  expect(output).toBe('');
}, 60_000);
