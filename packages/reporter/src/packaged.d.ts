// Set by pack/bundle.ts (the bundler's `define`) in the installable package; undefined in the clone.
/** The bundled Claude parse worker, relative to the bundled module that starts it. */
declare const GASGAUGE_CLAUDE_WORKER: string | undefined;
