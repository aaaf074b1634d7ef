// Set by pack/bundle.ts (the bundler's `define`) in the installable package, where every module sits in one
// folder; undefined when the CLI runs from the clone, so code must test them with `typeof`.
declare const GASGAUGE_VERSION: string | undefined;
/** The built web UI, relative to the bundled module that names it. */
declare const GASGAUGE_WEB_DIST: string | undefined;
