/**
 * The console bundle as the server builds it at start-up: hashed files, no inline script or style in the
 * page, within the first-load budget (300 KB compressed), and the strict CSP.
 */
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { CONSOLE_CSP, ConsoleBundle, buildConsole } from '../src';

describe('console assets', () => {
  let bundle: ConsoleBundle;
  beforeAll(async () => {
    bundle = await buildConsole();
  }, 30_000);

  const page = () => bundle.assets.get('/')?.body.toString('utf8') ?? '';

  it('serves the page at / referring to content-hashed script, stylesheet and icon that exist', () => {
    const refs = [...page().matchAll(/(?:src|href)="(\/console\/[^"]+)"/g)].map((m) => m[1]);
    expect(refs).toHaveLength(3);
    for (const ref of refs) {
      expect(ref).toMatch(/^\/console\/(app|favicon)\.[0-9a-f]{16}\.(js|css|svg)$/);
      expect(bundle.assets.get(ref)?.immutable).toBe(true);
    }
    expect(bundle.assets.get('/')?.immutable).toBe(false);
  });

  it('has no inline script, event handler or style in the page (the CSP would refuse them)', () => {
    expect(page()).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page()).not.toMatch(/\son[a-z]+=|style=|<style/i);
    expect(page()).not.toMatch(/\{\{\w+\}\}/); // every placeholder filled
  });

  it('keeps the first load within 300 KB compressed, and each encoding decodes to the file', () => {
    expect(bundle.firstLoadCompressedBytes).toBeLessThanOrEqual(300 * 1024);
    for (const asset of bundle.assets.values()) {
      expect(gunzipSync(asset.gzip).equals(asset.body)).toBe(true);
      expect(brotliDecompressSync(asset.brotli).equals(asset.body)).toBe(true);
    }
  });

  it('bundles Chart.js into the script: nothing is loaded from another host', () => {
    const script = [...bundle.assets.values()].find((a) => a.path.endsWith('.js'))?.body.toString('utf8') ?? '';
    expect(script.length).toBeGreaterThan(100_000);
    expect(script).not.toMatch(/https?:\/\/(?!www\.w3\.org)[a-z0-9.-]+\.[a-z]{2,}\/[^"'\s]*\.(js|css)/i);
    expect(script).not.toContain('innerHTML=');
  });

  it('allows only this origin\'s files: no inline code, no eval, no other host', () => {
    expect(CONSOLE_CSP).toContain("default-src 'none'");
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).toContain("style-src 'self'");
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
    expect(CONSOLE_CSP).not.toMatch(/unsafe-|https?:|\*/);
  });
});
