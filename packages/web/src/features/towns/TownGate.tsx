import type { ReactNode } from 'react';
import { Link } from '../../app/router.js';
import { LoadError } from '../../ui/LoadError.js';
import { useTowns } from './use-towns.js';

/**
 * A town page for a town of this user; any other id is "not found", as the API says. The page renders
 * while the list loads (its own requests start at once, not after a round trip), and gives way to
 * "not found" if the town is not there, or once a read of the open page is refused on the town (the
 * user's access ended: use-towns.ts asks for the list again).
 */
export function TownGate({ townId, children }: { townId: string; children: ReactNode }) {
  const towns = useTowns();
  if (towns.error && !towns.data) return <LoadError what="towns" error={towns.error} />;
  if (towns.data && !towns.data.some((t) => t.id === townId)) {
    return (
      <section className="empty">
        <h1>Town not found</h1>
        <p>
          There is no town <code>{townId}</code> among yours: it does not exist, or your access to it has ended.{' '}
          <Link to="/">See your towns</Link>.
        </p>
      </section>
    );
  }
  return children;
}
