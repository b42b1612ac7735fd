/**
 * Builds the console in memory when the process starts (esbuild bundles the TypeScript and CSS in well under
 * a second), so `npm start` needs no build step and can never serve a stale bundle: nothing is written to
 * disk. Each asset is kept with its gzip and brotli encodings and a content-hash ETag; the HTML refers to
 * the script and stylesheet by hashed names, so they can be cached for good.
 */
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export const BROWSER_SOURCE_DIR = path.join(__dirname, '..', 'browser');

export interface ConsoleAsset {
  /** URL path, e.g. `/` or `/console/app.3f9c1a2b.js`. */
  path: string;
  type: string;
  body: Buffer;
  gzip: Buffer;
  brotli: Buffer;
  etag: string;
  /** Hashed files never change under their name; the page itself is revalidated on every load. */
  immutable: boolean;
}

export interface ConsoleBundle {
  assets: Map<string, ConsoleAsset>;
  /** Sum of the smaller compressed encoding of every asset the first page load fetches. */
  firstLoadCompressedBytes: number;
  buildMs: number;
}

export async function buildConsole(sourceDir = BROWSER_SOURCE_DIR): Promise<ConsoleBundle> {
  const started = Date.now();
  const result = await build({
    entryPoints: { app: path.join(sourceDir, 'main.tsx'), styles: path.join(sourceDir, 'console.css') },
    bundle: true,
    minify: true,
    write: false,
    outdir: '/console',
    format: 'iife',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    jsx: 'transform',
    jsxFactory: 'h',
    jsxFragment: 'Fragment',
    legalComments: 'none',
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const script = result.outputFiles.find((f) => f.path.endsWith('.js'));
  const css = result.outputFiles.find((f) => f.path.endsWith('.css'));
  if (!script || !css) throw new Error('esbuild produced no script or stylesheet for the console');

  const assets = new Map<string, ConsoleAsset>();
  const add = (urlPath: string, type: string, body: Buffer, immutable: boolean) => {
    const asset = asAsset(urlPath, type, body, immutable);
    assets.set(urlPath, asset);
    return asset;
  };
  const js = add(`/console/app.${hash(script.contents)}.js`, 'text/javascript; charset=utf-8', Buffer.from(script.contents), true);
  const style = add(`/console/app.${hash(css.contents)}.css`, 'text/css; charset=utf-8', Buffer.from(css.contents), true);
  const iconBody = readFileSync(path.join(sourceDir, 'favicon.svg'));
  const icon = add(`/console/favicon.${hash(iconBody)}.svg`, 'image/svg+xml', iconBody, true);
  const html = readFileSync(path.join(sourceDir, 'index.html'), 'utf8')
    .replace('{{script}}', js.path)
    .replace('{{stylesheet}}', style.path)
    .replace('{{icon}}', icon.path);
  const page = add('/', 'text/html; charset=utf-8', Buffer.from(html), false);
  const smaller = (a: ConsoleAsset) => Math.min(a.gzip.length, a.brotli.length);
  return { assets, firstLoadCompressedBytes: [page, js, style, icon].reduce((sum, a) => sum + smaller(a), 0), buildMs: Date.now() - started };
}

function asAsset(urlPath: string, type: string, body: Buffer, immutable: boolean): ConsoleAsset {
  return {
    path: urlPath,
    type,
    body,
    gzip: gzipSync(body, { level: 9 }),
    brotli: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }),
    etag: `"${hash(body)}"`,
    immutable,
  };
}

function hash(content: Uint8Array): string {
  return createHash('sha256').update(content).digest('hex').slice(0, 16);
}
