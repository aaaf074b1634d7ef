/**
 * Why a directory could not be made or used, in the user's terms ("permission denied", not "EACCES: …, mkdir '…'"),
 * or the error's own message when it is not one of those. The server's `--data`, `backup --out` and `restore --data`
 * and the reporter's `--state` say it the same way.
 */
export function dirProblem(cause: { code?: unknown; message: string }): string {
  return cause.code === 'ENOTDIR' || cause.code === 'EEXIST'
    ? 'a part of that path is a file, not a directory'
    : cause.code === 'EACCES' || cause.code === 'EPERM'
      ? 'permission denied'
      : cause.code === 'EROFS'
        ? 'the file system is read-only'
        : cause.message;
}
