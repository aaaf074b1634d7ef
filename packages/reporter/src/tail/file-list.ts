/**
 * A source's files, listed again at most every `rescanMs` (listing walks directories; the files
 * already known are checked every poll). Empty lists are listed again at once, so a source whose
 * directory appears later is found on the next poll.
 */
export class FileList {
  private files: string[] = [];
  private lastScan = 0;

  constructor(
    private readonly list: () => string[],
    private readonly rescanMs: number,
    private readonly now: () => number,
  ) {}

  /** The files, and whether this call listed them again. */
  current(): { files: readonly string[]; rescanned: boolean } {
    if (this.files.length > 0 && this.now() - this.lastScan < this.rescanMs) return { files: this.files, rescanned: false };
    this.files = this.list();
    this.lastScan = this.now();
    return { files: this.files, rescanned: true };
  }
}
