/**
 * Errors raised by the storage layer. `code` is the Kafka error name the
 * broker should answer with (looked up in the protocol error table), so
 * handlers can map failures without parsing messages.
 */
export type StorageErrorCode = 'KAFKA_STORAGE_ERROR' | 'OFFSET_OUT_OF_RANGE' | 'CORRUPT_MESSAGE';

export class StorageError extends Error {
  readonly code: StorageErrorCode;
  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageError';
    this.code = code;
  }
}

/** Wrap an I/O failure (ENOSPC, EIO, ...) as KAFKA_STORAGE_ERROR, keeping the original as `cause`. */
export function storageError(what: string, cause: unknown): StorageError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new StorageError('KAFKA_STORAGE_ERROR', `${what}: ${detail}`, { cause });
}

export function isStorageError(e: unknown): e is StorageError {
  return e instanceof StorageError;
}
