import type { ReactNode } from 'react';
import { Link } from '../../app/router.js';
import { beadsPath, observabilityPath, settingsPath, townPath } from '../../app/routes.js';
import { useTown } from './use-towns.js';

/** A town page's title and its tabs; `children` go on the right (live status, range picker). */
export function TownHeader({
  townId,
  tab,
  children,
}: {
  townId: string;
  tab: 'overview' | 'observability' | 'beads' | 'settings';
  children?: ReactNode;
}) {
  const name = useTown(townId).data?.name ?? '\u00a0'; // a no-break space: a line's height while it loads, no jump
  return (
    <div className="town-header">
      <div className="town-title">
        <h1>
          <bdi>{name}</bdi>
        </h1>
        <nav className="tabs" aria-label="Town views">
          <Link to={townPath(townId)} aria-current={tab === 'overview' ? 'page' : undefined}>
            Overview
          </Link>
          <Link to={observabilityPath(townId)} aria-current={tab === 'observability' ? 'page' : undefined}>
            Observability
          </Link>
          <Link to={beadsPath(townId)} aria-current={tab === 'beads' ? 'page' : undefined}>
            Beads
          </Link>
          <Link to={settingsPath(townId)} aria-current={tab === 'settings' ? 'page' : undefined}>
            Settings
          </Link>
        </nav>
      </div>
      <div className="town-header-extra">{children}</div>
    </div>
  );
}
