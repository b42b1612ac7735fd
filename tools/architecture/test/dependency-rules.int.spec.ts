/**
 * Proves the dependency rules are really enforced (a lint rule that silently skips is worse than none):
 * lints small snippets as if they were files of real projects and expects the module-boundary rule to fire.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');
const eslintBin = path.join(root, 'node_modules/eslint/bin/eslint.js');

beforeAll(() => {
  // The boundary rule reads Nx's cached project graph; make sure it exists (it skips silently otherwise).
  execFileSync(process.execPath, [path.join(root, 'node_modules/nx/dist/bin/nx.js'), 'show', 'projects'], { cwd: root, stdio: 'ignore' });
}, 120_000);

function boundaryErrors(file: string, code: string): string[] {
  // The CLI in a child process: ESLint loads its flat config with a dynamic import, which jest's VM cannot.
  let output: string;
  try {
    output = execFileSync(process.execPath, [eslintBin, '--format', 'json', '--stdin', '--stdin-filename', path.join(root, file)], {
      cwd: root,
      input: code,
      encoding: 'utf8',
    });
  } catch (error) {
    output = (error as { stdout: string }).stdout; // exit code 1 = lint errors found
  }
  const [result] = JSON.parse(output) as Array<{ messages: Array<{ ruleId: string; message: string }> }>;
  const messages = result.messages.map((m) => `${m.ruleId}: ${m.message}`);
  if (messages.some((m) => /No cached ProjectGraph/.test(m))) throw new Error('project graph missing: rule skipped');
  return messages.filter((m) => /^(@nx\/enforce-module-boundaries|no-restricted-imports):/.test(m));
}

describe('architecture rules', () => {
  it('domain libs import no framework', async () => {
    expect(await boundaryErrors('libs/shared/decider/src/x.ts', `import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n`)).toEqual([
      expect.stringMatching(/type:domain.*not allowed to import "@nestjs\/common"/),
      expect.stringMatching(/no-restricted-imports.*@nestjs\/common/),
    ]);
  });

  it('domain libs do no I/O', async () => {
    const errors = await boundaryErrors('libs/shared/decider/src/x.ts', `import { Pool } from 'pg';\nimport fs from 'node:fs';\nexport const x = [Pool, fs];\n`);
    expect(errors).toEqual([
      expect.stringMatching(/not allowed to import "pg"/),
      expect.stringMatching(/no-restricted-imports.*'pg'/),
      expect.stringMatching(/no-restricted-imports.*'node:fs'/),
    ]);
  });

  it("a feature never imports another context's feature", async () => {
    const errors = await boundaryErrors('libs/ingest/feature/src/x.ts', `import { StatsModule } from '@leakwatch/stats/feature';\nexport const x = StatsModule;\n`);
    // Layer rule (a feature never imports another feature) fires first; the scope rule backs it up for
    // same-layer libs (domain/contracts) once those exist.
    expect(errors).toEqual([expect.stringMatching(/type:feature.*can only depend on/)]);
  });

  it('apps never import each other', async () => {
    const errors = await boundaryErrors('apps/gateway/src/x.ts', `import '../../ingest/src/main';\n`);
    expect(errors.length).toBeGreaterThan(0);
  });

  it('shared libs never depend on a feature', async () => {
    const errors = await boundaryErrors('libs/shared/runtime/src/x.ts', `import { IngestModule } from '@leakwatch/ingest/feature';\nexport const x = IngestModule;\n`);
    expect(errors.length).toBeGreaterThan(0);
  });

  it('allowed imports pass', async () => {
    expect(await boundaryErrors('apps/ingest/src/x.ts', `import { IngestModule } from '@leakwatch/ingest/feature';\nimport { runLeakwatch } from '@leakwatch/runtime';\nexport const x = [IngestModule, runLeakwatch];\n`)).toEqual([]);
  });
});
