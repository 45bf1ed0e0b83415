import { authenticate } from '../auth.js';
import { MatrixError, invalidParam, notFound, tooLarge } from '../errors.js';
import { ok, param, type Reply, type RequestContext } from '../http/context.js';
import { route, type Route } from '../http/router.js';
import { contentDisposition } from '../media-store.js';
import type { Services } from '../services.js';

const SERVER_NAME = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
const MEDIA_ID = /^[A-Za-z0-9_-]+$/;

/** The security headers Synapse puts on every media download. */
const MEDIA_HEADERS = {
  'Content-Security-Policy':
    "sandbox; default-src 'none'; script-src 'none'; plugin-types application/pdf; " +
    "style-src 'unsafe-inline'; media-src 'self'; object-src 'self';",
  'X-Content-Security-Policy': 'sandbox;',
  'Cross-Origin-Resource-Policy': 'cross-origin',
  'X-Content-Type-Options': 'nosniff',
};

function mediaIdOf(s: Services, ctx: RequestContext): string {
  const serverName = param(ctx, 'serverName');
  const mediaId = param(ctx, 'mediaId');
  if (!SERVER_NAME.test(serverName)) throw invalidParam(`Invalid server name: "${serverName}"`);
  if (!MEDIA_ID.test(mediaId)) throw invalidParam(`Invalid media ID: "${mediaId}"`);
  if (serverName !== s.options.serverName) {
    throw notFound(`Remote media (${serverName}) is not available on the test homeserver`);
  }
  return mediaId;
}

function download(s: Services, ctx: RequestContext): Reply {
  const record = s.media.get(mediaIdOf(s, ctx));
  if (!record) throw notFound('Not found');
  const fileName = ctx.params.fileName || record.fileName;
  return {
    status: 200,
    bytes: record.bytes,
    headers: {
      ...MEDIA_HEADERS,
      'Content-Type': record.contentType,
      'Content-Disposition': contentDisposition(record.contentType, fileName),
    },
  };
}

export function mediaRoutes(s: Services): Route[] {
  const { authenticatedMedia, maxUploadBytes } = s.options;

  const upload = (ctx: RequestContext) => {
    const uploader = authenticate(s, ctx).userId;
    const declared = ctx.headers['content-length'];
    if (declared === undefined) {
      throw new MatrixError(400, 'M_UNKNOWN', 'Request must specify a Content-Length');
    }
    if (Number(declared) > maxUploadBytes || ctx.body.length > maxUploadBytes) {
      throw tooLarge('Upload request body is too large');
    }
    const record = s.media.add({
      bytes: ctx.body,
      contentType: ctx.headers['content-type'] ?? 'application/octet-stream',
      fileName: ctx.query.get('filename') ?? undefined,
      uploader,
    });
    return ok({ content_uri: `mxc://${s.options.serverName}/${record.mediaId}` });
  };

  const config = (ctx: RequestContext) => {
    authenticate(s, ctx);
    return ok({ 'm.upload.size': maxUploadBytes });
  };

  const legacyDownload = (ctx: RequestContext) => {
    if (!authenticatedMedia) return download(s, ctx);
    // Synapse ≥ 1.120 freezes the legacy endpoints: media uploaded since is not served there.
    mediaIdOf(s, ctx);
    throw notFound('Not found');
  };

  const routes = [
    route('POST', '/_matrix/media/{v3|r0}/upload', upload, 'upload'),
    route('GET', '/_matrix/media/{v3|r0}/config', config),
    route('GET', '/_matrix/media/{v3|r0}/download/:serverName/:mediaId/:fileName?', legacyDownload),
  ];
  if (authenticatedMedia) {
    // Without authenticated media these paths do not exist: 404 M_UNRECOGNIZED.
    routes.push(
      route('GET', '/_matrix/client/v1/media/config', config),
      route('GET', '/_matrix/client/v1/media/download/:serverName/:mediaId/:fileName?', (ctx) => {
        authenticate(s, ctx);
        return download(s, ctx);
      }),
    );
  }
  return routes;
}
