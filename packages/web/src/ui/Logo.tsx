/** The gauge mark beside the name: drawn inline so it takes the theme's colours. */
export function Logo() {
  return (
    <svg className="logo" viewBox="0 0 32 32" aria-hidden="true">
      <path d="M4 22a12 12 0 0 1 24 0" fill="none" stroke="currentColor" strokeWidth="4" strokeLinecap="round" />
      <path d="M16 22l6-8" stroke="var(--accent-2)" strokeWidth="3" strokeLinecap="round" />
      <circle cx="16" cy="22" r="2.5" fill="var(--accent-2)" />
    </svg>
  );
}
