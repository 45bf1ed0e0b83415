import { newMediaId } from './ids.js';

export interface MediaRecord {
  mediaId: string;
  bytes: Buffer;
  contentType: string;
  fileName?: string;
  uploader: string;
  createdTs: number;
}

/** Uploaded files, kept in memory for the life of the server. */
export class MediaStore {
  private readonly media = new Map<string, MediaRecord>();

  add(record: Omit<MediaRecord, 'mediaId' | 'createdTs'>): MediaRecord {
    const stored: MediaRecord = { ...record, mediaId: newMediaId(), createdTs: Date.now() };
    this.media.set(stored.mediaId, stored);
    return stored;
  }

  get(mediaId: string): MediaRecord | undefined {
    return this.media.get(mediaId);
  }
}

/** Types Synapse lets a browser show inline; everything else (PDF included) is an attachment. */
const INLINE_TYPES = new Set([
  'text/css',
  'text/plain',
  'text/csv',
  'application/json',
  'application/ld+json',
  'image/jpeg',
  'image/gif',
  'image/png',
  'image/apng',
  'image/webp',
  'image/avif',
  'video/mp4',
  'video/webm',
  'video/ogg',
  'video/quicktime',
  'audio/mp4',
  'audio/webm',
  'audio/aac',
  'audio/mpeg',
  'audio/ogg',
  'audio/wave',
  'audio/wav',
  'audio/x-wav',
  'audio/x-pn-wav',
  'audio/flac',
  'audio/x-flac',
]);

/** A `Content-Disposition` value: RFC 6266, with `filename*` for names that are not plain. */
export function contentDisposition(contentType: string, fileName: string | undefined): string {
  const baseType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  const disposition = INLINE_TYPES.has(baseType) ? 'inline' : 'attachment';
  if (!fileName) return disposition;
  if (/^[\x20-\x7e]+$/.test(fileName) && !/["\\]/.test(fileName)) {
    return `${disposition}; filename="${fileName}"`;
  }
  return `${disposition}; filename*=utf-8''${encodeURIComponent(fileName)}`;
}
