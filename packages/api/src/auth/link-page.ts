/**
 * The page a one-time login link opens. It does not sign in on GET: link previewers and mail scanners
 * fetch links too, and would use the code up. The page posts the code from this origin instead, so
 * the session cookie (SameSite=Strict) is set on a same-site request and is sent on the redirect that
 * follows — a cookie set on a redirect chain that started in a terminal would not be.
 */
export function linkPage(code: string, nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Signing in · Gas Gauge</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; display: grid; place-items: center; min-height: 90vh; margin: 0; }
  main { max-width: 28rem; padding: 1.5rem; text-align: center; }
  button { font: inherit; padding: .5rem 1.25rem; border-radius: .5rem; border: 1px solid currentColor; background: none; color: inherit; cursor: pointer; }
  button:focus-visible { outline: 3px solid #3b82f6; outline-offset: 2px; }
</style>
</head>
<body>
<main>
  <h1>Gas Gauge</h1>
  <form method="post" action="/auth/link">
    <input type="hidden" name="code" value="${escapeHtml(code)}">
    <p>Signing you in…</p>
    <button type="submit">Continue</button>
  </form>
</main>
<script nonce="${nonce}">document.forms[0].submit();</script>
</body>
</html>`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
