import { CONTROL_MIGRATIONS } from './control/schema.js';
import { TOWN_MIGRATIONS } from './town/schema.js';

export { CONTROL_MIGRATIONS } from './control/schema.js';
export { TOWN_MIGRATIONS } from './town/schema.js';

/** The newest schema version this code knows, per kind of database: a restore refuses a backup past them. */
export const KNOWN_SCHEMA_VERSIONS = {
  control: CONTROL_MIGRATIONS.at(-1)?.version ?? 0,
  town: TOWN_MIGRATIONS.at(-1)?.version ?? 0,
} as const;
