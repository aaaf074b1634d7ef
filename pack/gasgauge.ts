#!/usr/bin/env node
// `gasgauge` in the installable package: the CLI bundled to JavaScript by pack/build.ts, no TypeScript loader.
// `serve` turns source maps on before the CLI's modules load, so a long-running server's stack traces name
// the TypeScript sources. The other commands are short-lived and their start time counts (a reporter's
// `--once` races ccusage): reading the maps costs ~25 ms a start. Their traces name bundle positions, which the
// shipped .map files resolve; NODE_OPTIONS=--enable-source-maps turns the maps on for every command.
if (process.argv[2] === 'serve') process.setSourceMapsEnabled(true);
const { main } = await import('../packages/server/src/cli/main.js');
process.exitCode = await main(process.argv.slice(2));

export {}; // an ES module, for the top-level await
