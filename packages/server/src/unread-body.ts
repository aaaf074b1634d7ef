/** What this needs of @hono/node-server's bindings (HTTP/1 IncomingMessage or HTTP/2 request). */
type Fetch<E extends { incoming: { complete: boolean } }> = (req: Request, env: E) => Response | Promise<Response>;

/**
 * Marks `Connection: close` on a response sent before its request's body has fully arrived (a 401,
 * 403 or 404 on a POST is answered before the body is read). The client may stop sending the body
 * once it has the answer, while the server waits to drain it: a keep-alive client would then send
 * its next request into a socket the server is about to drop ("other side closed").
 */
export function closeIfBodyUnread<E extends { incoming: { complete: boolean } }>(fetch: Fetch<E>): Fetch<E> {
  return async (req, env) => {
    const res = await fetch(req, env);
    if (env.incoming.complete) return res;
    try {
      res.headers.set('connection', 'close');
      return res;
    } catch {
      // Immutable headers (a Response from fetch or Response.redirect): copy it.
      const copy = new Response(res.body, res);
      copy.headers.set('connection', 'close');
      return copy;
    }
  };
}
