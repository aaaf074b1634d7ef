import { generateTree, writeTree } from '../src/testing/transcripts.js';

export interface WrittenTree {
  bytes: number;
  files: number;
  seconds: number;
}

/** ~2.5 KB assistant and tool-result lines: ~8.8 KB of transcript per response. */
export const TAIL_PADDING = 2000;
/**
 * ~2.3 KB of transcript per response, the density of the tree issue 11 measured (291 MB, 123,206
 * responses): a 300 MiB tree holds ~136k responses, ~118k records after the dedupe.
 */
export const ISSUE_PADDING = 100;

/**
 * Writes a Claude Code config dir of about `bytes` (streamed copies, subagents, resumed sessions — see
 * src/testing/transcripts.ts; `padding` sets the size of each line's text), chunk by chunk, so the
 * generator never holds more than one chunk (~10 MB) in memory.
 */
export function writeClaudeTree(
  configDir: string,
  bytes: number,
  padding: number,
  log: (line: string) => void = () => {},
): WrittenTree {
  const started = performance.now();
  let written = 0;
  let files = 0;
  for (let chunk = 0; written < bytes; chunk++) {
    const tree = generateTree({
      seed: 1000 + chunk,
      agents: 4,
      sessionsPerAgent: 4,
      responsesPerSession: 40,
      padding,
      idPrefix: `c${chunk}_`,
      worktreeRoot: `/work/town/rig${chunk % 16}/polecats`,
      start: Date.now() - 30 * 86_400_000 + chunk * 60_000,
      stepMs: [1, 20],
    });
    writeTree(configDir, tree.files);
    for (const lines of tree.files.values()) {
      files++;
      written += lines.reduce((s, l) => s + Buffer.byteLength(l) + 1, 0);
    }
    if (chunk % 20 === 0) log(`generated ${(written / 2 ** 20).toFixed(0)} MiB`);
  }
  return { bytes: written, files, seconds: (performance.now() - started) / 1000 };
}
