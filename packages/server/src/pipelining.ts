import type { Socket } from 'node:net';

/**
 * Requests one connection may have waiting for their answers at once. Browsers and the reporter send
 * one at a time; a client that pipelines more is not waiting for its answers.
 */
export const MAX_PIPELINED = 16;

/** What this needs of @hono/node-server's bindings (an HTTP/1 request and its response). */
type Fetch<E> = (req: Request, env: E) => Response | Promise<Response>;
type NodeEnv = { incoming: { socket: Socket }; outgoing: { once(event: 'close', listener: () => void): unknown } };

/**
 * Closes a connection that has more than `max` requests waiting for their answers. Node parses every
 * request of a chunk before any handler answers, and an answer waits, whole, in the server's memory
 * until the client reads it: one socket that wrote 500 `GET`s of the UI's 2 MB source map in one
 * packet and read nothing took the server from 135 MB to 1.1 GB. A request counts from its handler's
 * call until its answer has been handed to the connection (or the connection closed).
 */
export function capPipelining<E extends NodeEnv>(
  fetch: (req: Request, env: E) => Response | Promise<Response>,
  max = MAX_PIPELINED,
): Fetch<E> {
  const waiting = new WeakMap<Socket, number>();
  return (req, env) => {
    const socket = env.incoming.socket;
    const n = (waiting.get(socket) ?? 0) + 1;
    if (n > max) {
      socket.destroy();
      return new Response(null, { status: 503 }); // never sent: the connection is gone
    }
    waiting.set(socket, n);
    env.outgoing.once('close', () => waiting.set(socket, (waiting.get(socket) ?? 1) - 1));
    return fetch(req, env);
  };
}
