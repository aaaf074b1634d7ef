/** What `gasgauge report` accepts: a module with no imports, so the server's CLI can show it without loading the reporter. */

/** The options of `gasgauge report`, as node:util parseArgs declares them (the server's CLI parses). */
export const REPORT_OPTIONS = {
  server: { type: 'string' },
  town: { type: 'string' },
  'token-file': { type: 'string' },
  'token-command': { type: 'string' },
  'claude-dir': { type: 'string', multiple: true },
  'no-claude': { type: 'boolean' },
  'codex-home': { type: 'string', multiple: true },
  'no-codex': { type: 'boolean' },
  'gemini-dir': { type: 'string', multiple: true },
  'no-gemini': { type: 'boolean' },
  'opencode-dir': { type: 'string', multiple: true },
  'no-opencode': { type: 'boolean' },
  opencode: { type: 'string', multiple: true },
  worktree: { type: 'string', multiple: true },
  agent: { type: 'string', multiple: true },
  base: { type: 'string' },
  gastown: { type: 'string' },
  state: { type: 'string' },
  once: { type: 'boolean' },
  timeout: { type: 'string' },
  'loc-interval': { type: 'string' },
  'max-outbox-mb': { type: 'string' },
} as const;

export const REPORT_USAGE =
  'gasgauge report --server URL --town ID --token-file F [--claude-dir DIR]… [--codex-home DIR]… [--gemini-dir DIR]… [--opencode-dir DIR]… [--opencode URL]… [--worktree [AGENT=]PATH]… [--gastown DIR] [--once]';

export const REPORT_HELP = `Options:
  --server URL            the Gas Gauge server (required)
  --town ID               the town to report to, by its id as gasgauge town list prints it (required)
  --token-file F          a file holding the ingest token; re-read after a 401 (required)
  --token-command CMD     run (sh -c) after a 401; prints a fresh token or rewrites the token file
  --claude-dir DIR        a Claude config dir to tail (repeatable; default CLAUDE_CONFIG_DIR,
                          comma-separated, else XDG_CONFIG_HOME/claude (~/.config/claude) and ~/.claude)
  --no-claude             do not tail Claude Code transcripts
  --codex-home DIR        a Codex CLI home to tail (sessions/ and archived_sessions/; repeatable;
                          default CODEX_HOME, comma-separated, else ~/.codex)
  --no-codex              do not tail Codex CLI sessions
  --gemini-dir DIR        a Gemini CLI data dir to read (its tmp/ directory; repeatable; default
                          GEMINI_DATA_DIR, comma-separated, else ~/.gemini/tmp and
                          GEMINI_CLI_HOME/.gemini/tmp)
  --no-gemini             do not read Gemini CLI chats
  --opencode-dir DIR      an OpenCode or Kilo data dir to read (opencode.db / kilo.db and the older
                          storage/message/ files; repeatable; default OPENCODE_DATA_DIR and
                          KILO_DATA_DIR, comma-separated, else ~/.local/share/{opencode,kilo}
                          and XDG_DATA_HOME/{opencode,kilo}; not given, the stores OPENCODE_DB
                          and KILO_DB name, a path or a name in the data dir, are read too)
  --no-opencode           do not read OpenCode / Kilo data on disk
  --opencode URL[,URL…]   attach to running opencode serve / kilo serve servers (repeatable, at
                          most 16; basic auth: OPENCODE_SERVER_PASSWORD as OPENCODE_SERVER_USERNAME or
                          opencode, KILO_SERVER_PASSWORD as KILO_SERVER_USERNAME or kilo, or the URL's
                          user:password@); reconnects after 90 s without a byte and catches up from
                          disk on each reconnect; not with --once
  --worktree [AGENT=]PATH report lines of code of this git worktree (repeatable); AGENT (1 to 256
                          characters) defaults to the Gas Town name under --gastown, else the
                          directory name; a leading ~ in PATH is the home directory, also after AGENT=;
                          a PATH not there is said at start and reported as 0/0 lines once, as a
                          removed worktree is
  --agent AGENT=PATH      attribute transcripts whose cwd is under PATH to AGENT (repeatable; AGENT
                          1 to 256 characters)
  --base REF              diff worktrees against merge-base with REF (default origin/HEAD, then
                          origin/main, origin/master, main, master: the first that exists)
  --gastown DIR           a Gas Town root: tail DIR/.events.jsonl and name agents as Gas Town does
  --state DIR             outbox and cursors (default XDG_STATE_HOME/gasgauge/reporter-TOWN, else
                          ~/.local/state/gasgauge/reporter-TOWN)
  --once                  take in what exists now, deliver it, exit 0 when all is acknowledged
                          (1: not all delivered, or with nothing to send the server refused a check
                          of --server, --town and the token; 3: delivered but some quarantined);
                          with --json, its summary as one JSON object on stdout (without --once,
                          --json prints nothing)
  --timeout SECONDS       with --once, give up delivering (or waiting for an OpenCode/Kilo store
                          another process keeps locked) after this long, 1 to 604800 (default 600)
  --loc-interval SECONDS  how often worktrees are measured, 1 to 86400 (default 30)
  --max-outbox-mb N       bound on undelivered records, 1 to 1048576 (default 256)`;
