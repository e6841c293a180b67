/** Stable codes for failures of credential management (CLI and portal), each with its HTTP status. */
export const ERROR_STATUS = {
  invalid_input: 400,
  not_found: 404,
  conflict: 409,
  limit_reached: 409,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** An expected failure with a message fit to show the person who caused it. */
export class TesseraError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TesseraError';
    this.status = ERROR_STATUS[code];
  }
}

/** True for a unique-constraint violation on SQLite or PostgreSQL. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * The store or the master key cannot be used as they are (a missing key, a damaged database file): the
 * message says what, where, and how to put it right. Start-up stops; nothing is created or changed.
 */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}
