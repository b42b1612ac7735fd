// Test-only: reads the scanners' report fixtures (tests may do I/O; src/ may not).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const DIR = join(__dirname, 'fixtures');

export function fixtureText(name: string): string {
  return readFileSync(join(DIR, name), 'utf8');
}

export function fixtureJson(name: string): unknown {
  return JSON.parse(fixtureText(name));
}

export function fixtureNames(): string[] {
  return readdirSync(DIR).sort();
}
