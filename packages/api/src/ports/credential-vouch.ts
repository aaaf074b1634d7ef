/**
 * Secrets that vouch for themselves. Every secret the server mints (user API token `ggu_`, session cookie `ggs_`,
 * ingest key `ggi_`, scrape key `ggp_`, login code `ggl_`) carries a short MAC keyed from the host's secret, so a
 * host can tell one of its own from a made-up one before any lookup. The tag only vouches, it never gates: a
 * credential without a valid one (made before tags, under a rotated secret, or forged) is looked up as before, so
 * no credential stops working and rotating the secret signs no one out. What it buys: a Worker isolate lets a
 * vouched credential past its bound on lookups of credentials it has not seen (worker/src/unknown-credentials.ts),
 * so a flood of made-up ones cannot crowd real users out of a fresh isolate.
 */
export interface CredentialVouch {
  /** A new secret: `prefix` + 32 random bytes + a tag over both (auth/credential-vouch.ts), base64url. */
  mint(prefix: string): Promise<string>;
  /** Whether `credential` carries this host's tag for its own prefix and random part (compared in constant time). */
  vouches(credential: string): Promise<boolean>;
  /**
   * Told, just before the API looks a credential up by `hash`, how to find out whether it vouched for itself: by
   * its tag (`check` computes the MAC), or (for the user token or session an ingest token was minted with) by the
   * ingest token's signature. A host that bounds lookups of credentials it has not seen (Workers) runs `check` only
   * for a lookup that would count against that bound, so a request answered from its cache computes no MAC; the
   * others leave it out.
   */
  vouched?(hash: string, check: () => Promise<boolean>): void;
}
