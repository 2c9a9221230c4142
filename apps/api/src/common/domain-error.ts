import { HttpStatus } from '@nestjs/common';

/** An error the API reports to the caller: a stable code, a message, and optional details. */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: HttpStatus = HttpStatus.BAD_REQUEST,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const notFound = (what: string, id: string): DomainError =>
  new DomainError('not_found', `${what} ${id} not found`, HttpStatus.NOT_FOUND);
