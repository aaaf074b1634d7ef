#!/usr/bin/env node
// `gasgauge` in the installable package: the CLI bundled to JavaScript by pack/build.ts, no TypeScript loader.
// Source maps are turned on before the CLI's modules load, so stack traces name the TypeScript sources.
process.setSourceMapsEnabled(true);
const { main } = await import('../packages/server/src/cli/main.js');
process.exitCode = await main(process.argv.slice(2));

export {}; // an ES module, for the top-level await
