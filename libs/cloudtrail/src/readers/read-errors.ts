export type ReadErrorCode = 'input_not_found' | 'unreadable_input' | 'corrupt_gzip' | 'unsupported_input' | 'too_large';

/** A whole input (file, folder, stream) could not be read; the records it held are not all known. */
export class CloudTrailReadError extends Error {
  readonly code: ReadErrorCode;
  readonly path: string;

  constructor(code: ReadErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(`${path}: ${message}`, options);
    this.name = 'CloudTrailReadError';
    this.code = code;
    this.path = path;
  }
}

const GZIP_ERROR_CODES = new Set(['Z_DATA_ERROR', 'Z_BUF_ERROR', 'Z_STREAM_ERROR', 'Z_NEED_DICT']);

/** Turns low-level stream/fs/zlib failures into a CloudTrailReadError naming the input. */
export function toReadError(error: unknown, path: string): CloudTrailReadError {
  if (error instanceof CloudTrailReadError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && GZIP_ERROR_CODES.has(code)) {
    return new CloudTrailReadError('corrupt_gzip', path, `corrupt gzip data (${message})`, { cause: error });
  }
  if (code === 'ENOENT') {
    return new CloudTrailReadError('input_not_found', path, 'no such file or directory', { cause: error });
  }
  return new CloudTrailReadError('unreadable_input', path, message, { cause: error });
}
