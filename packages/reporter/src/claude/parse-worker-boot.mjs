// The Claude parse worker run from the clone: TypeScript through tsx, as bin/gasgauge.mjs runs the CLI.
// (The installable package runs its bundled claude-parse-worker.js instead: pack/bundle.ts.)
import { register } from 'tsx/esm/api';

register();
await import('./parse-worker.ts');
