import { hasCode, TesseraError } from '../errors/tessera-error.js';
import { within } from '../async/within.js';
import { type Database, pingDatabase } from './database.js';

/** SQLSTATE classes no wait will cure: 28 (authorization: a wrong user or password), 3D (no such database). */
const FATAL_SQLSTATE = /^(28|3D)/;

/**
 * Waits for PostgreSQL to answer, for at most `timeoutMs`: instances often start beside (or before) their
 * database, in compose or after a reboot. SQLite answers at once. Gives up with one sentence naming the
 * host (never the URL's password) and why.
 */
export async function waitForDatabase(
  database: Database,
  options: { timeoutMs: number; onRetry: (message: string) => void; now?: () => number },
): Promise<void> {
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutMs;
  const seconds = options.timeoutMs / 1000;
  let delay = 250;
  for (let attempt = 1; ; attempt++) {
    let reason: string;
    try {
      await within(pingDatabase(database.db), Math.max(deadline - now(), 1000));
      return;
    } catch (caught) {
      // The store reports a server that is away as `unavailable` (store-unavailable.ts): say what the driver said.
      const error = hasCode(caught, 'unavailable') && caught.cause !== undefined ? caught.cause : caught;
      reason = describe(error);
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && FATAL_SQLSTATE.test(code)) {
        throw new TesseraError('cannot_start', `PostgreSQL at ${database.location} refused the connection (${reason}). Check DATABASE_URL.`);
      }
    }
    if (now() + delay >= deadline) {
      throw new TesseraError(
        'cannot_start',
        `PostgreSQL at ${database.location} did not answer within ${seconds} s (${reason}). Check DATABASE_URL and that PostgreSQL is running; TESSERA_STORE_CONNECT_TIMEOUT_SECONDS sets the wait.`,
      );
    }
    if (attempt === 1) options.onRetry(`PostgreSQL at ${database.location} does not answer (${reason}); retrying for up to ${seconds} s`);
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 2000);
  }
}

function describe(error: unknown): string {
  const { message, code } = error as { message?: unknown; code?: unknown };
  const text = typeof message === 'string' && message ? message : String(error);
  return typeof code === 'string' && !text.includes(code) ? `${code}: ${text}` : text;
}
