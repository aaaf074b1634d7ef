/**
 * A name someone else chose (an agent, a model, a bead, a key): isolated from the text around it
 * (`<bdi>`), and with its whole text as the title, since a table cuts a long one short with an
 * ellipsis (styles.css, `.data-table bdi`).
 */
export function Name({ children }: { children: string }) {
  return <bdi title={children}>{children}</bdi>;
}
