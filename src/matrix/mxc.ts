/** A parsed `mxc://server/media-id` URI. */
export interface MxcUri {
  serverName: string;
  mediaId: string;
}

// Server names are a host name, IPv4 or bracketed IPv6, with an optional port; media ids are
// opaque but limited to URL-safe characters by the spec.
const MXC = /^mxc:\/\/([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?\/([A-Za-z0-9_-]+)$/;

/**
 * Parses an mxc URI, or returns undefined for anything that is not one. Nothing from the event
 * reaches a URL until it has passed this check.
 */
export function parseMxc(uri: unknown): MxcUri | undefined {
  if (typeof uri !== 'string' || uri.length > 512) return undefined;
  const match = MXC.exec(uri);
  if (!match) return undefined;
  return { serverName: match[1]! + (match[2] ?? ''), mediaId: match[3]! };
}
