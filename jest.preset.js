// Shared jest settings: SWC transpiles TypeScript with decorator metadata; tsconfig path aliases map to sources.
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [
    `^${alias.replace(/[/\-]/g, (c) => `\\${c}`)}$`,
    path.join(__dirname, target),
  ]),
);

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // @fastify/static requires content-disposition 3, an ES module jest cannot require (see the stand-in).
  moduleNameMapper: { ...moduleNameMapper, '^content-disposition$': path.join(__dirname, 'tools/jest/content-disposition.js') },
  setupFiles: [path.join(__dirname, 'tools/jest/setup.js')],
  testTimeout: 60_000,
};
