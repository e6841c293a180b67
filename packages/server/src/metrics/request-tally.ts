/** The answered requests of one method on one route: counts by status, and the latency buckets. */
interface RouteTally {
  method: string;
  route: string;
  statuses: Map<number, number>;
  /** Requests per latency bucket, not cumulative: index i counts those ≤ bounds[i] and > bounds[i-1]; the last, the rest. */
  buckets: number[];
  sum: number;
  count: number;
}

/**
 * Answered requests, counted in plain numbers on the hot path — two map lookups and a few additions —
 * and read by the exposition only when scraped. prom-client's own counter and histogram hash their
 * label values on every call, which costs a request to /raas/v2 a few per cent of its time.
 */
export class RequestTally {
  /** route → method → tally: the route strings are Fastify's own, so lookups hash nothing new. */
  private readonly routes = new Map<string, Map<string, RouteTally>>();

  constructor(readonly bounds: readonly number[]) {}

  record(method: string, route: string, statusCode: number, seconds: number): void {
    let methods = this.routes.get(route);
    if (!methods) this.routes.set(route, (methods = new Map()));
    let tally = methods.get(method);
    if (!tally) {
      tally = { method, route, statuses: new Map(), buckets: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, count: 0 };
      methods.set(method, tally);
    }
    tally.statuses.set(statusCode, (tally.statuses.get(statusCode) ?? 0) + 1);
    let bucket = 0;
    while (bucket < this.bounds.length && seconds > this.bounds[bucket]!) bucket += 1;
    tally.buckets[bucket]! += 1;
    tally.sum += seconds;
    tally.count += 1;
  }

  *tallies(): Iterable<RouteTally> {
    for (const methods of this.routes.values()) yield* methods.values();
  }
}
