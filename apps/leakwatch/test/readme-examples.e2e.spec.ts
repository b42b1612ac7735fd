/**
 * The README works when pasted: every shell block marked `<!-- readme-test -->` (the line before a ```bash fence)
 * runs as written, in document order, as ONE bash script (variables assigned by one block are used by the next),
 * against a fresh `npm start` process. `set -euo pipefail` + `curl -f` turn any failed command or any 4xx/5xx
 * answer into a failure naming the command.
 *
 * What the test changes, and nothing else: `localhost:8080` becomes the process's free port (and LEAKWATCH_URL
 * says the same to the CLI), `KEY=lw_...` gets the key the first start printed, LEAKWATCH_DATA_DIR points the CLI
 * at the process's data directory, and domain verification is pointed at a closed local DNS port (no network).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '@leakwatch/postgres-server';
import { promisify } from 'node:util';
import { launchChromium } from './support/browser';
import { signIn } from './support/console-page';
import { LeakwatchProcess, startLeakwatchProcess } from './support/leakwatch-process';

const root = path.resolve(__dirname, '../../..');
const MARKER = /<!-- readme-test -->\r?\n```bash\r?\n([\s\S]*?)```/g;
const PRINTED_KEY = /global_admin API key \(shown once, store it now\):\s+(\S+)/;

export function readmeBlocks(readme: string): string[] {
  return [...readme.matchAll(MARKER)].map((m) => m[1]);
}

describe('README examples (e2e)', () => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const blocks = readmeBlocks(readme);
  let app: LeakwatchProcess;

  beforeAll(async () => {
    app = await startLeakwatchProcess({ LEAKWATCH_DNS_SERVERS: `127.0.0.1:${await freePort()}`, LEAKWATCH_DNS_TIMEOUT_MS: '500', LEAKWATCH_HTTP_TIMEOUT_MS: '1000' });
  }, 90_000);
  afterAll(async () => {
    if (app) {
      await app.stop();
      app.cleanUp();
    }
  });

  it('the first start names the web console; opened in a browser, the printed key signs in as global_admin', async () => {
    const printed = app.output();
    const key = PRINTED_KEY.exec(printed)?.[1] as string;
    expect(key).toMatch(/^lw_/);
    const consoleAt = /Open the web console at (\S+) and sign in with it/.exec(printed)?.[1];
    expect(consoleAt).toBe(`${app.url}/`);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await signIn(page, app.url, key);
      await expect(page.locator('#role').textContent()).resolves.toContain('global_admin');
      await expect(page.locator('#org').textContent()).resolves.toContain('all organisations');
      expect(page.url()).not.toContain(key);
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('marks the quick start, leaks, exports, stats and token check examples as runnable', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    const all = blocks.join('\n');
    expect(all).toMatch(/^KEY=lw_\.\.\./m);
    for (const name of ['ORG', 'ADMIN', 'LEAK', 'TOKEN', 'GW']) expect(all).toMatch(new RegExp(`^${name}=`, 'm'));
  });

  it('uses no hard-coded leak ids, and every curl fails on an error answer (-f) or prints its status (-w)', () => {
    for (const block of blocks) {
      expect(block).not.toMatch(/\b[0-9a-f]{32}\b/);
      for (const line of block.split('\n').filter((l) => /(^|\$\(|\|\s*|until )curl /.test(l))) {
        expect(line).toMatch(/curl -(f|sS -o \/dev\/null -w)/);
      }
    }
  });

  it('runs every marked block, in order, against a fresh npm start', async () => {
    const key = PRINTED_KEY.exec(app.output())?.[1];
    expect(key).toMatch(/^lw_/);
    const port = new URL(app.url).port;
    const script = [
      'set -euo pipefail',
      `trap 'echo "README example failed (exit $?): $BASH_COMMAND" >&2' ERR`,
      ...blocks.map((block, i) => `echo "--- README block ${i + 1}" >&2\n${block}`),
    ]
      .join('\n')
      .replace(/^KEY=lw_\.\.\./m, `KEY=${key}`)
      .replace(/localhost:8080/g, `127.0.0.1:${port}`);
    const result = await promisify(execFile)('bash', ['-c', script], {
      cwd: root,
      env: { ...process.env, LEAKWATCH_URL: app.url, LEAKWATCH_DATA_DIR: app.dataDir, LEAKWATCH_API_KEY: '' },
      maxBuffer: 16 * 1024 * 1024,
      timeout: 240_000,
    }).then(
      (r) => ({ code: 0, ...r }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    if (result.code !== 0) throw new Error(`README script exited ${result.code}\n--- stderr:\n${result.stderr}\n--- stdout:\n${result.stdout}`);
    // A few answers the reader is told to expect.
    expect(result.stdout).toMatch(/"status": "ok"/); // /health
    expect(result.stdout).toMatch(/leakid,type,kind,secret_type,preview/); // CSV export header
    expect(result.stdout).toMatch(/"type":"LeakStatusChanged"/); // audit log
    expect(result.stdout).toMatch(/^(403|204)$/m); // authorize
    expect(result.stdout).not.toContain(key); // the admin key is never echoed back
  }, 300_000);
});
