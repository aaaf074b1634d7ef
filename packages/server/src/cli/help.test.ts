import { describe, expect, it } from 'vitest';
import { common } from './command.js';
import { COMMANDS, commandHelp } from './main.js';

describe('gasgauge COMMAND --help', () => {
  it.each([...COMMANDS.keys()])('%s describes each of its own options on a line of its own', (name) => {
    const command = COMMANDS.get(name);
    if (!command) throw new Error(`no command ${name}`);
    const help = commandHelp(command);
    const own = Object.keys(command.options).filter((o) => !(o in common));
    // A described option starts an indented line ("  --ttl D  ..."); the usage line alone says nothing of it.
    const undescribed = own.filter((o) => !new RegExp(`^ +--${o}\\b`, 'm').test(help));
    expect(undescribed).toEqual([]);
  });
});
