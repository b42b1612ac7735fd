/**
 * A headless Chromium from npm alone (`@sparticuz/chromium` ships the binary, `playwright-core` drives it).
 * The package is an ES module: a short Node child resolves the binary's path and flags.
 */
import { execFileSync } from 'node:child_process';
import { Browser, chromium } from 'playwright-core';
import { root } from './process';

const RESOLVE = `import('@sparticuz/chromium').then(async ({ default: c }) => process.stdout.write(JSON.stringify({ executablePath: await c.executablePath(), args: c.args })))`;

export async function launchChromium(): Promise<Browser> {
  const { executablePath, args } = JSON.parse(execFileSync(process.execPath, ['-e', RESOLVE], { cwd: root, encoding: 'utf8' })) as { executablePath: string; args: string[] };
  return chromium.launch({ executablePath, args, headless: true });
}
