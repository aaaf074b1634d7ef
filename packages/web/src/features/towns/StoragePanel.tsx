import type { ReactNode } from 'react';
import { fetchStorage } from '../../api/storage.js';
import { formatBytes, formatPercent } from '../../lib/format.js';
import { useQuery } from '../../lib/use-query.js';
import { LoadError, RefreshError } from '../../ui/LoadError.js';

/** How often the size is read again while the tab is open (it moves with every ingest and prune). */
const REFETCH_MS = 30_000;

/** The town's data against its storage quota (set by the server's operator: --max-town-mb, MAX_TOWN_MB). */
export function StoragePanel({ townId }: { townId: string }) {
  const storage = useQuery(`storage:${townId}`, (signal) => fetchStorage(townId, signal), { refetchMs: REFETCH_MS });
  const s = storage.data;
  let body: ReactNode;
  if (storage.error && !s) body = <LoadError what="the storage use" error={storage.error} />;
  else if (!s) body = <p className="muted small">Loading the storage use…</p>;
  else if (s.quotaBytes === null) body = <p data-storage>This town holds {formatBytes(s.usedBytes)} of data.</p>;
  else
    body = (
      <>
        <p data-storage>
          This town holds {formatBytes(s.usedBytes)} of data, {formatPercent(s.usedBytes / s.quotaBytes)} of its{' '}
          {formatBytes(s.quotaBytes)} quota.
        </p>
        <meter
          className="storage-meter"
          min={0}
          max={s.quotaBytes}
          high={s.quotaBytes * 0.9}
          value={Math.min(s.usedBytes, s.quotaBytes)}
          aria-label="Storage used"
        />
        {s.full && (
          <p className="banner danger" role="alert">
            The quota is used up: new usage, events and lines of code are refused (HTTP 507) and not stored.
          </p>
        )}
      </>
    );
  return (
    <section className="town-storage" aria-labelledby="storage-title">
      <h2 id="storage-title">Storage</h2>
      <p className="muted">
        What this town's data takes on the server. Past the quota the server's operator set, the town takes no new data until old
        data passes its retention (7 days of 5 s detail, 30 days of minutes, 400 days of hours) or the quota is raised.
      </p>
      {s && storage.error && <RefreshError what="the storage use" error={storage.error} />}
      {body}
    </section>
  );
}
