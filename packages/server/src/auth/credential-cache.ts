/**
 * A bounded LRU map from a raw credential (an access token, or the base64 of Basic credentials) to
 * what its verification found. It lives in this process's memory only — credentials are never logged,
 * written or sent anywhere — and is what keeps signature checks and digests off the hot path.
 */
export class CredentialCache<T> {
  private readonly entries = new Map<string, T>();

  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.entries.size;
  }

  /**
   * The entry, marked as the most recently used once the cache is half full: the order matters only when
   * an entry must be evicted, and moving one costs a delete and an insert of a key as long as a token —
   * on every request to /raas/v2 (issue 13's profile).
   */
  get(credential: string): T | undefined {
    const entry = this.entries.get(credential);
    if (entry !== undefined && this.entries.size * 2 > this.maxEntries) {
      // Map keeps insertion order: re-inserting moves the entry to the young end.
      this.entries.delete(credential);
      this.entries.set(credential, entry);
    }
    return entry;
  }

  set(credential: string, entry: T): void {
    this.entries.delete(credential);
    this.entries.set(credential, entry);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  delete(credential: string): void {
    this.entries.delete(credential);
  }

  /** Drops every entry that matches: how a status change announced by another instance lands. */
  deleteWhere(matches: (entry: T) => boolean): void {
    for (const [credential, entry] of this.entries) if (matches(entry)) this.entries.delete(credential);
  }

  clear(): void {
    this.entries.clear();
  }
}
