import { randomUUID } from 'node:crypto';
import type { JsonObject } from './events.js';

/** A user the client acts as. */
export interface TestUser {
  userId: string;
  accessToken: string;
  deviceId?: string;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON when the answer is JSON, else undefined. */
  body: unknown;
  bytes: Buffer;
}

export interface ClientRequestInit {
  json?: unknown;
  bytes?: Uint8Array;
  contentType?: string;
  query?: Record<string, string>;
  /** Send the access token. Default true. */
  auth?: boolean;
}

export interface CreateRoomOptions {
  invite?: string[];
  name?: string;
  topic?: string;
  /** Either spelling of the state key is accepted; it defaults to the empty string. */
  initialState?: Array<{
    type: string;
    stateKey?: string;
    state_key?: string;
    content: JsonObject;
  }>;
  isDirect?: boolean;
  preset?: 'private_chat' | 'public_chat' | 'trusted_private_chat';
  visibility?: 'public' | 'private';
  roomAliasName?: string;
}

/** A non-2xx answer from the homeserver. */
export class MatrixRequestError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    const errcode = (body as { errcode?: string } | undefined)?.errcode;
    const error = (body as { error?: string } | undefined)?.error;
    super(
      `${method} ${path} answered ${status} ${errcode ?? ''}: ${error ?? JSON.stringify(body)}`,
    );
    this.name = 'MatrixRequestError';
  }

  get errcode(): string | undefined {
    return (this.body as { errcode?: string } | undefined)?.errcode;
  }
}

/** Encodes every interpolated value as one path segment. */
export function path(strings: TemplateStringsArray, ...values: string[]): string {
  return strings.reduce(
    (out, s, i) => out + s + (i < values.length ? encodeURIComponent(values[i] ?? '') : ''),
    '',
  );
}

const V3 = '/_matrix/client/v3';

/** A small client-server API client over real HTTP, acting as one user. */
export class TestClient {
  constructor(
    private readonly baseUrl: string,
    readonly user: TestUser,
    /** With the as_token: the user to masquerade as (`?user_id=`). */
    private readonly masqueradeAs?: string,
  ) {}

  get userId(): string {
    return this.masqueradeAs ?? this.user.userId;
  }

  /** Any request; never throws on an HTTP error status. */
  async request(
    method: string,
    requestPath: string,
    init: ClientRequestInit = {},
  ): Promise<ApiResponse> {
    const query = new URLSearchParams(init.query);
    if (this.masqueradeAs) query.set('user_id', this.masqueradeAs);
    const headers: Record<string, string> = {};
    if (init.auth !== false) headers.Authorization = `Bearer ${this.user.accessToken}`;
    let body: Uint8Array | string | undefined;
    if (init.bytes) {
      body = init.bytes;
      headers['Content-Type'] = init.contentType ?? 'application/octet-stream';
    } else if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers['Content-Type'] = 'application/json';
    }

    const qs = query.size > 0 ? `?${query}` : '';
    const response = await fetch(`${this.baseUrl}${requestPath}${qs}`, { method, headers, body });
    const bytes = Buffer.from(await response.arrayBuffer());
    const isJson = response.headers.get('content-type')?.startsWith('application/json');
    const parsed: unknown =
      isJson && bytes.length > 0 ? JSON.parse(bytes.toString('utf8')) : undefined;
    return { status: response.status, headers: response.headers, body: parsed, bytes };
  }

  /** A request that must succeed; its JSON answer. */
  async call<T = JsonObject>(
    method: string,
    requestPath: string,
    init: ClientRequestInit = {},
  ): Promise<T> {
    const response = await this.request(method, requestPath, init);
    if (response.status < 200 || response.status > 299) {
      throw new MatrixRequestError(method, requestPath, response.status, response.body);
    }
    return response.body as T;
  }

  async createRoom(options: CreateRoomOptions = {}): Promise<string> {
    const body: JsonObject = {};
    if (options.invite) body.invite = options.invite;
    if (options.name !== undefined) body.name = options.name;
    if (options.topic !== undefined) body.topic = options.topic;
    if (options.isDirect !== undefined) body.is_direct = options.isDirect;
    if (options.preset) body.preset = options.preset;
    if (options.visibility) body.visibility = options.visibility;
    if (options.roomAliasName) body.room_alias_name = options.roomAliasName;
    if (options.initialState) {
      body.initial_state = options.initialState.map((e) => ({
        type: e.type,
        state_key: e.stateKey ?? e.state_key ?? '',
        content: e.content,
      }));
    }
    const answer = await this.call<{ room_id: string }>('POST', `${V3}/createRoom`, { json: body });
    return answer.room_id;
  }

  async invite(roomId: string, userId: string): Promise<void> {
    await this.call('POST', V3 + path`/rooms/${roomId}/invite`, { json: { user_id: userId } });
  }

  async join(roomIdOrAlias: string): Promise<string> {
    const answer = await this.call<{ room_id: string }>('POST', V3 + path`/join/${roomIdOrAlias}`, {
      json: {},
    });
    return answer.room_id;
  }

  async leave(roomId: string, reason?: string): Promise<void> {
    const json = reason === undefined ? {} : { reason };
    await this.call('POST', V3 + path`/rooms/${roomId}/leave`, { json });
  }

  async kick(roomId: string, userId: string, reason?: string): Promise<void> {
    const json = reason === undefined ? { user_id: userId } : { user_id: userId, reason };
    await this.call('POST', V3 + path`/rooms/${roomId}/kick`, { json });
  }

  /** Sends an `m.room.message`; returns the event id. */
  sendMessage(roomId: string, content: JsonObject, txnId?: string): Promise<string> {
    return this.sendEvent(roomId, 'm.room.message', content, txnId);
  }

  async sendEvent(roomId: string, type: string, content: JsonObject, txnId: string = randomUUID()) {
    const answer = await this.call<{ event_id: string }>(
      'PUT',
      V3 + path`/rooms/${roomId}/send/${type}/${txnId}`,
      { json: content },
    );
    return answer.event_id;
  }

  async sendState(roomId: string, type: string, stateKey: string, content: JsonObject) {
    const answer = await this.call<{ event_id: string }>(
      'PUT',
      V3 + path`/rooms/${roomId}/state/${type}/${stateKey}`,
      { json: content },
    );
    return answer.event_id;
  }

  getState(roomId: string, type: string, stateKey = ''): Promise<JsonObject> {
    return this.call('GET', V3 + path`/rooms/${roomId}/state/${type}/${stateKey}`);
  }

  /** Uploads bytes; returns the `mxc://` URI. */
  async upload(bytes: Uint8Array, file: { fileName: string; contentType: string }) {
    const answer = await this.call<{ content_uri: string }>('POST', '/_matrix/media/v3/upload', {
      bytes,
      contentType: file.contentType,
      query: { filename: file.fileName },
    });
    return answer.content_uri;
  }

  /** Uploads a file and posts it as an `m.file` message, as Element does. */
  async sendFile(roomId: string, file: { bytes: Uint8Array; fileName: string; mimetype: string }) {
    const mxc = await this.upload(file.bytes, {
      fileName: file.fileName,
      contentType: file.mimetype,
    });
    const eventId = await this.sendMessage(roomId, {
      msgtype: 'm.file',
      body: file.fileName,
      filename: file.fileName,
      url: mxc,
      info: { mimetype: file.mimetype, size: file.bytes.length },
    });
    return { eventId, mxc };
  }

  /** Downloads through the authenticated media endpoint. Never throws on an error status. */
  download(mxc: string): Promise<ApiResponse> {
    const match = /^mxc:\/\/([^/]+)\/([^/]+)$/.exec(mxc);
    if (!match?.[1] || !match[2]) throw new Error(`expected an mxc:// URI, got "${mxc}"`);
    return this.request('GET', path`/_matrix/client/v1/media/download/${match[1]}/${match[2]}`);
  }
}
