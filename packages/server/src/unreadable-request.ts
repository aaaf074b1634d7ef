import { newRequestId, REQUEST_ID_HEADER, toErrorResponse } from '@gasgauge/api';
import { AppError } from '@gasgauge/core';

/**
 * The answer to what the Node adapter cannot make a Request of (a raw backslash in the path, `OPTIONS *`, a Host
 * header that is no host), before the app sees it (a request without Host gets the server's own host): the adapter's own was an empty text/plain 400, without the JSON error naming the
 * field and the X-Request-Id every other answer has. Anything else thrown there is the app's fault: a logged 500.
 */
export function unreadableRequest(err: unknown, log: (err: unknown) => void): Response {
  const refused =
    err instanceof Error && err.name === 'RequestError'
      ? new AppError(
          'bad_request',
          `the request cannot be read (${err.message}): its target must be a path from / without a backslash, after a Host header`,
          // `OPTIONS *` is said as an invalid Host header (the adapter joins the two into one URL): named by the target.
          { path: 'path' },
        )
      : err;
  const { status, body } = toErrorResponse(refused, log);
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', [REQUEST_ID_HEADER]: newRequestId() },
  });
}
