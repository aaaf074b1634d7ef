import { describe, expect, it, vi } from 'vitest';
import { common } from './command.js';
import { COMMANDS, commandHelp, main } from './main.js';

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

describe('gasgauge COMMAND with an option missing its value', () => {
  it('says so in one line, not Node’s three with their newlines spelled out (\\u000a)', async () => {
    const err: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((line: string) => err.push(line));
    try {
      expect(await main(['town', 'list', '--owner', '--data', '/nonexistent'])).toBe(2);
      expect(await main(['report', '--server', 'http://127.0.0.1:1', '--town', '--token-file', 'f', '--once'])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(err.map((e) => e.split('\n')[0])).toEqual([
      'gasgauge town list: --owner needs a value, and the argument after it starts with a dash (write --owner=-VALUE for a value that does)',
      'gasgauge report: --town needs a value, and the argument after it starts with a dash (write --town=-VALUE for a value that does)',
    ]);
  });
});
