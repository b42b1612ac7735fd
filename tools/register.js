// Runs the TypeScript sources directly: SWC transpiles (with decorator metadata, which NestJS DI needs)
// and resolves the tsconfig path aliases. One runtime path for `npm start`, the services and the CLI.
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || require('node:path').join(__dirname, '..', 'tsconfig.base.json');
require('reflect-metadata');
require('@swc-node/register');
