import type { ReactNode } from 'react';

/**
 * A box that may scroll (a wide table, the event feed, a long command): focusable and named, so a
 * keyboard user can reach it and scroll it with the arrow keys, and a screen reader announces what it
 * holds. Every scrolling box of the app is one of these (axe's scrollable-region-focusable, in e2e/a11y.test.ts).
 */
export function ScrollRegion(props: { label: string; className: string; as?: 'div' | 'pre'; children: ReactNode }) {
  const { label, className, as: Tag = 'div', children } = props;
  return (
    <Tag className={className} role="region" aria-label={label} tabIndex={0}>
      {children}
    </Tag>
  );
}
