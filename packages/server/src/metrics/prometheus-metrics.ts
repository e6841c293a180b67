import { collectDefaultMetrics, Counter, Histogram, type MetricObjectWithValues, type MetricValueWithName, Registry } from 'prom-client';
import {
  AUTH_FAILURE_REASONS,
  type AuthEndpoint,
  type AuthFailureReason,
  type Metrics,
  TOKEN_LIMIT_WINDOWS,
  TOKEN_POLICY_LABELS,
  type TokenLimitWindow,
  type TokenPolicyLabel,
} from './metrics.js';
import { RequestTally } from './request-tally.js';

/** Every reason a connection is refused for: the only values of the `reason` label. */
const CONNECTION_REFUSALS = ['max_connections', 'address_share'] as const;
type ConnectionRefusal = (typeof CONNECTION_REFUSALS)[number];

/** The route label of a request no route matched: its raw path could hold anything. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Seconds; most answers take a millisecond or less, a token request a few (it signs). */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The process's own metrics (CPU, memory, event loop lag, GC), the same for every app in it: collected
 * once, on first use, into a registry of their own (prom-client's watchers of the event loop and GC
 * cannot be stopped, so one set per process, not per app).
 */
let processRegistry: Registry | undefined;

function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * The metrics of one app, in a registry of its own (not prom-client's global one), so several apps in
 * one process — tests, or an embedding — never share or collide. Serves the Prometheus text format
 * with the process's metrics.
 */
export class PrometheusMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly tokens: Counter<'grant_type'>;
  private readonly quota: Counter;
  private readonly policyRefusals: Counter<'policy'>;
  private readonly limitObserved: Counter<'window'>;
  private readonly authFailures: Counter<'endpoint' | 'reason'>;
  private readonly store: Counter;
  private readonly redis: Counter;
  private readonly connectionsRefused: Counter<'reason'>;
  private readonly requests = new RequestTally(LATENCY_BUCKETS);
  // Plain numbers on the guard's hot path, handed to the counter when scraped.
  private cacheHits = 0;
  private cacheMisses = 0;

  constructor(options: { grantTypes: readonly string[] }) {
    const registers = [this.registry];
    this.tokens = new Counter({ name: 'tessera_tokens_issued_total', help: 'Access tokens issued, by grant type.', labelNames: ['grant_type'], registers });
    this.quota = new Counter({ name: 'tessera_token_quota_refusals_total', help: 'Token requests refused by the issuance quota.', registers });
    this.policyRefusals = new Counter({
      name: 'tessera_token_policy_refusals_total',
      help: 'Token requests refused by the token policy in force, by policy (quota: the interval quota; rate: requests per second; client_limit: an enforced per-client limit).',
      labelNames: ['policy'],
      registers,
    });
    this.limitObserved = new Counter({
      name: 'tessera_token_limit_observed_total',
      help: 'Tokens issued past an observed per-client limit, which would have refused them, by window (hour or day).',
      labelNames: ['window'],
      registers,
    });
    this.authFailures = new Counter({
      name: 'tessera_authentication_failures_total',
      help: 'Failed authentications, by endpoint (oauth: client authentication; api: the /raas/v2 guard) and reason.',
      labelNames: ['endpoint', 'reason'],
      registers,
    });
    const hits = (): number => this.cacheHits;
    const misses = (): number => this.cacheMisses;
    new Counter({
      name: 'tessera_credential_cache_lookups_total',
      help: "The API guard's lookups of a presented credential in memory: hit (served without I/O) or miss.",
      labelNames: ['result'],
      registers,
      collect() {
        this.reset();
        this.inc({ result: 'hit' }, hits());
        this.inc({ result: 'miss' }, misses());
      },
    });
    this.store = new Counter({ name: 'tessera_store_errors_total', help: 'Failed store queries and connection errors.', registers });
    this.redis = new Counter({ name: 'tessera_redis_errors_total', help: 'Redis connection and command errors.', registers });
    this.connectionsRefused = new Counter({
      name: 'tessera_connections_refused_total',
      help: 'Connections closed as soon as accepted, by reason: max_connections (the global cap) or address_share (one address held its share).',
      labelNames: ['reason'],
      registers,
    });
    const requests = this.requests;
    new Counter({
      name: 'tessera_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status_code'],
      registers,
      collect() {
        this.reset();
        for (const { method, route, statuses } of requests.tallies()) {
          for (const [status, count] of statuses) this.inc({ method, route, status_code: status }, count);
        }
      },
    });
    new TalliedHistogram(requests, {
      name: 'tessera_http_request_duration_seconds',
      help: 'Time from receiving a request to sending its answer, by method and route pattern.',
      labelNames: ['method', 'route'],
      buckets: [...LATENCY_BUCKETS],
      registers,
    });
    // Zero from the start, so that rate() and absent() work before the first event (Prometheus' advice).
    for (const grantType of options.grantTypes) this.tokens.inc({ grant_type: grantType }, 0);
    for (const [endpoint, reasons] of Object.entries(AUTH_FAILURE_REASONS)) {
      for (const reason of reasons) this.authFailures.inc({ endpoint, reason }, 0);
    }
    for (const reason of CONNECTION_REFUSALS) this.connectionsRefused.inc({ reason }, 0);
    for (const policy of TOKEN_POLICY_LABELS) this.policyRefusals.inc({ policy }, 0);
    for (const window of TOKEN_LIMIT_WINDOWS) this.limitObserved.inc({ window }, 0);
  }

  tokenIssued(grantType: string): void {
    this.tokens.inc({ grant_type: grantType });
  }

  quotaRefused(): void {
    this.quota.inc();
  }

  tokenRefused(policy: TokenPolicyLabel): void {
    this.policyRefusals.inc({ policy });
  }

  tokenLimitObserved(window: TokenLimitWindow): void {
    this.limitObserved.inc({ window });
  }

  authFailed(endpoint: AuthEndpoint, reason: AuthFailureReason): void {
    this.authFailures.inc({ endpoint, reason });
  }

  credentialCacheLookup(hit: boolean): void {
    if (hit) this.cacheHits += 1;
    else this.cacheMisses += 1;
  }

  storeError(): void {
    this.store.inc();
  }

  redisError(): void {
    this.redis.inc();
  }

  /** A connection closed as soon as it was accepted (http/connection-limits.ts). */
  connectionRefused(reason: ConnectionRefusal): void {
    this.connectionsRefused.inc({ reason });
  }

  /** One answered request: `route` is the matched pattern (or {@link UNMATCHED_ROUTE}), never the URL. */
  httpRequest(method: string, route: string, statusCode: number, seconds: number): void {
    this.requests.record(method, route, statusCode, seconds);
  }

  /** The exposition: the registry's text and its content type. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    const body = await Registry.merge([processMetrics(), this.registry]).metrics();
    return { contentType: this.registry.contentType, body };
  }
}

type LatencyLabel = 'method' | 'route';

/**
 * A histogram whose buckets are counted by a {@link RequestTally}: prom-client writes it out, from the
 * values this gives it at each scrape, in the shape its own histograms have.
 */
class TalliedHistogram extends Histogram<LatencyLabel> {
  private readonly info: { name: string; help: string };

  constructor(
    private readonly tally: RequestTally,
    config: ConstructorParameters<typeof Histogram<LatencyLabel>>[0],
  ) {
    super(config);
    this.info = { name: config.name, help: config.help };
  }

  override async get(): Promise<MetricObjectWithValues<MetricValueWithName<LatencyLabel>>> {
    const values: MetricValueWithName<LatencyLabel>[] = [];
    const { name, help } = this.info;
    const bucketName = `${name}_bucket`;
    for (const { method, route, buckets, sum, count } of this.tally.tallies()) {
      let cumulative = 0;
      this.tally.bounds.forEach((bound, i) => {
        cumulative += buckets[i]!;
        values.push({ labels: { le: bound, method, route } as never, value: cumulative, metricName: bucketName });
      });
      values.push({ labels: { le: '+Inf', method, route } as never, value: count, metricName: bucketName });
      values.push({ labels: { method, route }, value: sum, metricName: `${name}_sum` });
      values.push({ labels: { method, route }, value: count, metricName: `${name}_count` });
    }
    // What prom-client's own histograms give the registry at run time (its declarations differ: an
    // enum for the type, and a collect function the registry does not read).
    return { name, help, type: 'histogram', values, aggregator: 'sum' } as unknown as MetricObjectWithValues<MetricValueWithName<LatencyLabel>>;
  }

  /** What the registry writes out: it asks a histogram for this rather than {@link get}. */
  async getForPromString(): Promise<MetricObjectWithValues<MetricValueWithName<LatencyLabel>>> {
    return this.get();
  }
}
