import { AppError } from '@gasgauge/core';

/** The credential of an `Authorization: Bearer …` header, or a 401 naming what is missing. */
export function bearer(header: string | undefined | null): string {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  if (!match?.[1]) throw new AppError('unauthorized', 'missing Authorization: Bearer credential', { path: 'authorization' });
  return match[1];
}
