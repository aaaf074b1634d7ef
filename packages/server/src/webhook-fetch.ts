import { type LookupAddress, lookup } from 'node:dns';
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { RefusedTarget } from '@gasgauge/api';
import { isPrivateAddress } from '@gasgauge/core';

type Resolver = (hostname: string, callback: (err: Error | null, addresses: LookupAddress[]) => void) => void;

const systemResolver: Resolver = (hostname, callback) => lookup(hostname, { all: true }, callback);

/**
 * `lookup` for a connection: the addresses the socket will use, refused when any is loopback, private or
 * link-local. WebhookDelivery checks the name before it POSTs, but that is a separate DNS answer: a name
 * whose answer changes in between (DNS rebinding) would reach this machine's network without this.
 */
function guardedLookup(resolve: Resolver, refused: (address: string) => boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, (err, addresses) => {
      const done = callback as (err: Error | null, address: string | LookupAddress[], family?: number) => void;
      if (err) return done(err, '', 0);
      if (addresses.length === 0 || addresses.some((a) => refused(a.address))) return done(new RefusedTarget(), '', 0);
      const wanted = addresses.filter((a) => !options.family || a.family === options.family);
      if (options.all) return done(null, wanted);
      const first = wanted[0];
      if (!first) return done(new Error(`no IPv${options.family} address for ${hostname}`), '', 0);
      done(null, first.address, first.family);
    });
  };
}

/**
 * The server's fetch for alert webhooks (the subset WebhookDelivery uses: a POST with a string body, a
 * signal, the status of the answer, whose body is not read), over node:http(s) so the address connected
 * to is checked by guardedLookup. Tests stand in for DNS (`resolve`) and, to reach a receiver on
 * loopback, for the rule (`refused`).
 */
export function webhookFetch(
  resolve: Resolver = systemResolver,
  refused: (address: string) => boolean = isPrivateAddress,
): typeof fetch {
  return (input, init) =>
    new Promise<Response>((done, fail) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const signal = init?.signal ?? undefined;
      const req = send(
        url,
        {
          method: init?.method ?? 'GET',
          headers: init?.headers as OutgoingHttpHeaders,
          lookup: guardedLookup(resolve, refused),
          signal,
        },
        (res) => {
          res.destroy(); // The answer's status is all a delivery needs.
          try {
            done(new Response(null, { status: res.statusCode ?? 0 }));
          } catch (err) {
            fail(err); // A status outside 200–599.
          }
        },
      );
      // A timeout rejects with the signal's reason (a TimeoutError), as fetch does.
      req.on('error', (err) => fail(signal?.aborted ? signal.reason : err));
      req.end(typeof init?.body === 'string' ? init.body : undefined);
    });
}
