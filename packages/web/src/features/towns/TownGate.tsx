import type { ReactNode } from 'react';
import { isRefusedOnTown } from '../../api/trpc.js';
import { Link } from '../../app/router.js';
import { LoadError } from '../../ui/LoadError.js';
import { useTown } from './use-towns.js';

/**
 * A town page for a town of this user; any other id is "not found", as the API says (`towns.get`). The
 * page renders while the town loads (its own requests start at once, not after a round trip), and gives
 * way to "not found" if the town is not the user's, or once a read of the open page is refused on the
 * town (the user's access ended: use-towns.ts asks again).
 */
export function TownGate({ townId, children }: { townId: string; children: ReactNode }) {
  const town = useTown(townId);
  if (town.error && isRefusedOnTown(town.error)) {
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
  if (town.error && !town.data) return <LoadError what="the town" error={town.error} />;
  return children;
}
