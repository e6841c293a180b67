/**
 * Log at most once per interval: wraps `log` so that it runs at most once per `intervalMs` of the
 * injected clock. For warnings about an outage (Redis away) that would otherwise be logged on every
 * request or every reconnection attempt.
 */
export function logAtMostEvery<A extends unknown[]>(intervalMs: number, log: (...args: A) => void, now: () => number = Date.now): (...args: A) => void {
  let last = -Infinity;
  return (...args: A) => {
    const at = now();
    if (at - last < intervalMs) return;
    last = at;
    log(...args);
  };
}
