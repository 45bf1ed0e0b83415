/**
 * Matrix error responses. Every error body this server sends is `{errcode, error}`, plus the
 * extra fields some errors carry (`soft_logout`, a ping's `status` and `body`).
 */
export class MatrixError extends Error {
  constructor(
    readonly status: number,
    readonly errcode: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'MatrixError';
  }

  body(): Record<string, unknown> {
    return { errcode: this.errcode, error: this.message, ...this.extra };
  }
}

export function forbidden(message: string): MatrixError {
  return new MatrixError(403, 'M_FORBIDDEN', message);
}

export function notFound(message: string): MatrixError {
  return new MatrixError(404, 'M_NOT_FOUND', message);
}

export function badJson(message: string): MatrixError {
  return new MatrixError(400, 'M_BAD_JSON', message);
}

export function invalidParam(message: string): MatrixError {
  return new MatrixError(400, 'M_INVALID_PARAM', message);
}

export function missingParam(message: string): MatrixError {
  return new MatrixError(400, 'M_MISSING_PARAM', message);
}

export function tooLarge(message: string): MatrixError {
  return new MatrixError(413, 'M_TOO_LARGE', message);
}

/** What Synapse answers for a path it does not serve (404) or a method it does not (405). */
export function unrecognized(status: 404 | 405 = 404): MatrixError {
  return new MatrixError(status, 'M_UNRECOGNIZED', 'Unrecognized request');
}
