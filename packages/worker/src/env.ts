/** Secrets (`wrangler secret put`, or the environment of `npm run dev:worker`); `wrangler types` does not see them. */
declare global {
  namespace Cloudflare {
    interface Env {
      /** A `ggu_…` token: the admin user's token, created on the first request. */
      GASGAUGE_ADMIN_TOKEN?: string;
      /** Signs ingest tokens (HS256). */
      GASGAUGE_SECRET?: string;
    }
  }
}

export {};
