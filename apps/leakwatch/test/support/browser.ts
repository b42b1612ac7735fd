/**
 * A real headless Chromium for the console tests, installed from npm alone: `@sparticuz/chromium` ships the
 * binary, `playwright-core` drives it (no download, works offline). `@sparticuz/chromium` is an ES module,
 * which jest's CommonJS runtime cannot import, so a short Node child resolves the binary's path and flags.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Browser, chromium } from 'playwright-core';

const RESOLVE = `import('@sparticuz/chromium').then(async ({ default: c }) => process.stdout.write(JSON.stringify({ executablePath: await c.executablePath(), args: c.args })))`;

export async function launchChromium(): Promise<Browser> {
  const root = path.resolve(__dirname, '../../../..');
  const { executablePath, args } = JSON.parse(execFileSync(process.execPath, ['-e', RESOLVE], { cwd: root, encoding: 'utf8' })) as { executablePath: string; args: string[] };
  return chromium.launch({ executablePath, args, headless: true });
}

/** A fresh folder for the screenshots of one run (printed by the test, kept after it). */
export function screenshotFolder(name: string): string {
  const dir = path.join(os.tmpdir(), `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}
