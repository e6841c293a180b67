/**
 * A bounded map that evicts the least recently used entry: the in-process cache of the API guard's
 * credentials, the token endpoint's clients and the token-refusal windows. It lives in this process's
 * memory only; keys may be raw credentials (an access token, the base64 of Basic credentials), so
 * nothing here logs, writes or sends a key anywhere.
 */
export class LruCache<T> {
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
  get(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (entry !== undefined && this.entries.size * 2 > this.maxEntries) {
      // Map keeps insertion order: re-inserting moves the entry to the young end.
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, entry: T): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Drops every entry that matches: how a status change announced by another instance lands. */
  deleteWhere(matches: (entry: T) => boolean): void {
    for (const [key, entry] of this.entries) if (matches(entry)) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
