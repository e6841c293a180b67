/** True for a unique-constraint violation on SQLite or PostgreSQL: the store turns it into a `conflict`. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Runs an insert, turning a unique violation into the domain's `conflict` with `message`. */
export async function insertOrConflict(insert: () => Promise<unknown>, conflict: () => Error): Promise<void> {
  try {
    await insert();
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict();
    throw error;
  }
}
