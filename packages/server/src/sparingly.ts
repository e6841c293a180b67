/**
 * Wraps `fn` so it runs at most once per `intervalMs`: for warnings about an outage (Redis away) that
 * would otherwise be logged on every request or every reconnection attempt.
 */
export function sparingly<A extends unknown[]>(intervalMs: number, fn: (...args: A) => void): (...args: A) => void {
  let last = -Infinity;
  return (...args: A) => {
    const now = Date.now();
    if (now - last < intervalMs) return;
    last = now;
    fn(...args);
  };
}
