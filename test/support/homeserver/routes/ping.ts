import { authenticate } from '../auth.js';
import { MatrixError, forbidden } from '../errors.js';
import { jsonBody, ok, param, type RequestContext } from '../http/context.js';
import { OutboundTimeoutError, sendToAppservice } from '../http/outbound.js';
import { route, type Route } from '../http/router.js';
import type { Services } from '../services.js';

/**
 * `POST /_matrix/client/v1/appservice/{id}/ping` (spec v1.7): the homeserver pings the
 * appservice and reports how long it took, mapping failures to the spec's error codes. A
 * successful ping also retries a backed-off transaction at once.
 */
export function pingRoutes(s: Services): Route[] {
  const ping = async (ctx: RequestContext) => {
    const requester = authenticate(s, ctx);
    if (!requester.appserviceId) {
      throw forbidden('Only application services can use the /appservice/ping endpoint');
    }
    if (param(ctx, 'appserviceId') !== requester.appserviceId) {
      throw forbidden('Mismatching application service ID in path');
    }
    const url = s.appserviceUrl();
    if (url === null) {
      throw new MatrixError(
        400,
        'M_AS_PING_URL_NOT_SET',
        'The application service does not have a URL set',
      );
    }
    const transactionId = jsonBody(ctx).transaction_id ?? null;

    const started = performance.now();
    let response;
    try {
      response = await sendToAppservice({
        method: 'POST',
        url: `${url}/_matrix/app/v1/ping`,
        body: JSON.stringify({ transaction_id: transactionId }),
        token: s.appservice.hsToken,
        timeoutMs: s.options.appserviceTimeoutMs,
      });
    } catch (error) {
      if (error instanceof OutboundTimeoutError) {
        throw new MatrixError(
          504,
          'M_AS_PING_CONNECTION_TIMEOUT',
          'Timeout while pinging appservice',
        );
      }
      const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new MatrixError(502, 'M_AS_PING_CONNECTION_FAILED', detail);
    }
    if (response.status < 200 || response.status > 299) {
      throw new MatrixError(502, 'M_AS_PING_BAD_STATUS', `HTTP ${response.status}`, {
        status: response.status,
        body: response.text,
      });
    }
    const durationMs = Math.floor(performance.now() - started);
    s.pusher.forceRetry();
    return ok({ duration_ms: durationMs });
  };

  return [route('POST', '/_matrix/client/v1/appservice/:appserviceId/ping', ping)];
}
