import type { DatabaseConnection, Dialect, Driver, QueryResult, TransactionSettings } from 'kysely';
import { TesseraError } from '../errors/tessera-error.js';

/** How long a client of a store that is away is told to wait before trying again (RFC 9110 §10.2.3). */
export const STORE_RETRY_AFTER_SECONDS = 5;

/** Socket errors of a connection that cannot be made or was cut (Node's `err.code`). */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/**
 * PostgreSQL SQLSTATEs (Appendix A) of a server that is away rather than of a bad query: 57P01
 * admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up, in recovery), 53300
 * too_many_connections; and class 08, connection exception. SQLite's busy and locked (after the
 * busy_timeout) are the same for a request: the store cannot answer now.
 */
const SERVER_CODES = new Set(['57P01', '57P02', '57P03', '53300', 'SQLITE_BUSY', 'SQLITE_LOCKED']);

/** node-postgres says these in a message only, without a code. */
const PG_MESSAGES = [/^Connection terminated/, /^timeout exceeded when trying to connect/, /is not queryable/, /^Client was closed and is not queryable/];

/** True when `error` means the store cannot be reached or cannot answer now, not that the query is wrong. */
function isStoreUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || SERVER_CODES.has(code) || code.startsWith('08') || code.startsWith('SQLITE_BUSY'))) return true;
  return PG_MESSAGES.some((pattern) => pattern.test(error.message));
}

/** The domain's `unavailable`, for an error that {@link isStoreUnreachable}; any other error as it is. */
export function mapped(error: unknown): unknown {
  if (!isStoreUnreachable(error)) return error;
  return new TesseraError('unavailable', 'The service is temporarily unavailable: its database cannot be reached. Try again shortly.', {
    retryAfterSeconds: STORE_RETRY_AFTER_SECONDS,
    cause: error,
  });
}

async function mapping<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw mapped(error);
  }
}

/** A connection whose queries fail with `unavailable` when the store is away. */
class MappedConnection implements DatabaseConnection {
  constructor(readonly inner: DatabaseConnection) {}

  executeQuery<R>(...args: Parameters<DatabaseConnection['executeQuery']>): Promise<QueryResult<R>> {
    return mapping(() => this.inner.executeQuery<R>(...args));
  }

  streamQuery<R>(...args: Parameters<DatabaseConnection['streamQuery']>): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(...args);
  }
}

const unwrap = (connection: DatabaseConnection) => (connection instanceof MappedConnection ? connection.inner : connection);

/**
 * Wraps a Kysely driver so that every store operation that fails because the database is away throws
 * the domain's `unavailable`, which each surface answers with 503 and Retry-After. The inner driver
 * always gets its own connection back (PostgreSQL's releases it to the pool with a private method).
 */
class MappedDriver implements Driver {
  constructor(private readonly inner: Driver) {}

  init(): Promise<void> {
    return mapping(() => this.inner.init());
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new MappedConnection(await mapping(() => this.inner.acquireConnection()));
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return mapping(() => this.inner.beginTransaction(unwrap(connection), settings));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return mapping(() => this.inner.commitTransaction(unwrap(connection)));
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return mapping(() => this.inner.rollbackTransaction(unwrap(connection)));
  }

  savepoint(connection: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['savepoint']>>[2]): Promise<void> {
    return mapping(() => this.inner.savepoint!(unwrap(connection), name, compile));
  }

  rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['savepoint']>>[2]): Promise<void> {
    return mapping(() => this.inner.rollbackToSavepoint!(unwrap(connection), name, compile));
  }

  releaseSavepoint(connection: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['savepoint']>>[2]): Promise<void> {
    return mapping(() => this.inner.releaseSavepoint!(unwrap(connection), name, compile));
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(unwrap(connection));
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

/** `dialect` with its driver wrapped by {@link MappedDriver}. */
export function withUnavailableErrors(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => new MappedDriver(dialect.createDriver()),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
  };
}
