export { DataDir } from './data-dir.js';
export { afterTwoTurns } from './defer.js';
export { Random } from './demo/random.js';
export { readNodeBody } from './node-body.js';
export { TickScheduler } from './scheduler.js';
export { type RunningServer, type ServeOptions, startServer } from './serve.js';
export { openSqlite } from './sqlite.js';
export { DEFAULT_MAX_OPEN_TOWNS, FileTownDirectory } from './town-directory.js';
