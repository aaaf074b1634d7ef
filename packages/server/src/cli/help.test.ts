import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NAME_RULE } from '@gasgauge/core';
import { describe, expect, it, vi } from 'vitest';
import { ROOT } from '../testing/cli.js';
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

describe('gasgauge COMMAND --help of a command that names something', () => {
  it.each([
    ['user add', 'NAME'],
    ['org create', 'NAME'],
    ['town create', 'NAME'],
    ['key create', '--name NAME'],
  ])('%s says the rule %s must follow, as its refusal does', (name, label) => {
    const command = COMMANDS.get(name);
    if (!command) throw new Error(`no command ${name}`);
    const help = commandHelp(command);
    expect(help).toMatch(new RegExp(`^ {2}${label} `, 'm'));
    expect(help.replace(/\s+/g, ' ')).toContain(NAME_RULE);
    expect(Math.max(...help.split('\n').map((l) => l.length))).toBeLessThanOrEqual(120);
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

describe('gasgauge COMMAND with its last option missing its value', () => {
  it("names the option as the other refusals do, not in Node’s words (Option '--usd <value>' argument missing)", async () => {
    const err: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((line: string) => err.push(line));
    try {
      expect(await main(['credits', 'grant', '--user', 'admin', '--data', '/nonexistent', '--usd'])).toBe(2);
      expect(await main(['serve', '--port'])).toBe(2);
      expect(await main(['report', '--server', 'http://127.0.0.1:1', '--town', 't', '--token-file'])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(err.map((e) => e.split('\n')[0])).toEqual([
      'gasgauge credits grant: --usd needs a value, and none follows it',
      'gasgauge serve: --port needs a value, and none follows it',
      'gasgauge report: --token-file needs a value, and none follows it',
    ]);
  });
});

describe('gasgauge with an option before the command', () => {
  it('says options come after it, with the command line that works, not "unknown command"', async () => {
    const err: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((line: string) => err.push(line));
    try {
      expect(await main(['--data', '/srv/gasgauge', 'town', 'list'])).toBe(2);
      expect(await main(['--json', 'user', 'add', 'Gas Town'])).toBe(2);
      expect(await main(['--json'])).toBe(2);
      expect(await main(['-x'])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(err.map((e) => e.split('\n')[0])).toEqual([
      'gasgauge: options go after the command (--data, as in: gasgauge town list --data /srv/gasgauge)',
      'gasgauge: options go after the command (--json, as in: gasgauge user add --json "Gas Town")',
      'gasgauge: options go after the command (--json, as in: gasgauge COMMAND --json)',
      'gasgauge: unknown command "-x"',
    ]);
  });
});

describe('a command that reads no data directory (report)', () => {
  it('neither offers --data in its help nor takes it, and says why', async () => {
    const report = COMMANDS.get('report');
    if (!report) throw new Error('no command report');
    expect(commandHelp(report)).not.toMatch(/--data/);
    expect(commandHelp(COMMANDS.get('serve') ?? report)).toMatch(/^ {2}--data DIR/m);
    const err: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((line: string) => err.push(line));
    try {
      expect(await main(['report', '--data', '/srv/gasgauge', '--once'])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(err[0]?.split('\n')[0]).toBe('gasgauge report: unknown option --data: this command reads no data directory');
  });
});

describe('gasgauge -h', () => {
  it('is --help, for gasgauge and for a command', async () => {
    const out: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((line: string) => out.push(line));
    try {
      expect(await main(['-h'])).toBe(0);
      expect(await main(['town', 'create', '-h'])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    expect(out[0]).toContain('gasgauge serve');
    expect(out[1]).toContain('gasgauge town create');
  });
});

describe('gasgauge help NAME of no command', () => {
  it('is an unknown command (exit 2), as gasgauge NAME is, not the main help with exit 0', async () => {
    const err: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation((line: string) => err.push(line));
    try {
      expect(await main(['help', 'nosuch'])).toBe(2);
      expect(await main(['help'])).toBe(0);
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
    expect(err[0]?.split('\n')[0]).toBe('gasgauge: unknown command "nosuch"');
  });
});

// Found as a new self-hoster: `gasgauge twon list` said `unknown command "twon list"` and named no command instead.
describe('a mistyped command', () => {
  it('names the word that is no command, or the option that is none, and the nearest that is (exit 2)', async () => {
    const err: string[] = [];
    const error = vi.spyOn(console, 'error').mockImplementation((line: string) => err.push(line));
    try {
      expect(await main(['twon', 'list'])).toBe(2);
      expect(await main(['--verison'])).toBe(2);
      expect(await main(['town', 'lst'])).toBe(2);
      expect(await main(['credits', 'grnat'])).toBe(2);
      expect(await main(['frobnicate', 'x'])).toBe(2);
      expect(await main(['report', '--opencod', 'http://127.0.0.1:4096'])).toBe(2);
      expect(await main(['report', '--no-claud'])).toBe(2);
    } finally {
      error.mockRestore();
    }
    expect(err.map((e) => e.split('\n')[0])).toEqual([
      'gasgauge: unknown command "twon" (did you mean town?)',
      'gasgauge: unknown command "--verison" (did you mean --version?)',
      'gasgauge town: has no command "lst" (did you mean list?)',
      'gasgauge credits: has no command "grnat" (did you mean grant?)',
      'gasgauge: unknown command "frobnicate"',
      // The nearest option, not the first that starts so (--opencode-dir comes first).
      'gasgauge report: unknown option --opencod (did you mean --opencode?)',
      'gasgauge report: unknown option --no-claud (did you mean --no-claude?)',
    ]);
  });
});

describe('gasgauge --version --json', () => {
  it('prints {"version": …}, as every other command prints one JSON object with --json', async () => {
    const out: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((line: string) => out.push(line));
    try {
      expect(await main(['--version', '--json'])).toBe(0);
      expect(await main(['--version'])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    expect(JSON.parse(out[0] as string)).toEqual({ version: out[1] });
    expect(out[1]).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('gasgauge --help', () => {
  it('lists every exit status, 3 of report --once too', async () => {
    const out: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((line: string) => out.push(line));
    try {
      expect(await main(['--help'])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const status = (out[0] as string).split('Exit status:')[1]?.split('Run "')[0]?.replace(/\s+/g, ' ');
    expect(status).toContain('3 report --once delivered but some records quarantined');
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' ');
    expect(readme).toContain('3 when `report --once` delivered everything but quarantined some records');
  });
});
