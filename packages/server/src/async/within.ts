/** Settles as `promise` does, or rejects with "no answer" after `ms`: one wait for every store, cache and probe. */
export async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([promise, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no answer')), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
