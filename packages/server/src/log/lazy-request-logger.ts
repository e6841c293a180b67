import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';

type Bindings = Parameters<FastifyBaseLogger['child']>[0];
type ChildOptions = NonNullable<Parameters<FastifyBaseLogger['child']>[1]>;

/**
 * Fastify's childLoggerFactory: a request's logger (the app's, bound to the request id) is made when the
 * request first writes a line, not for every request. Making it is not free: pino runs the redaction of
 * log-options.ts over a child's bindings — 6 % of the time of a refused token request in issue 13's
 * profile — and at the production level most requests write nothing. A route with a level of its own
 * gets its child at once, as Fastify would make it.
 */
export const lazyChildLogger: NonNullable<FastifyServerOptions['childLoggerFactory']> = function (logger, bindings, options) {
  if (options.level !== undefined) return logger.child(bindings, options);
  return new LazyRequestLogger(logger, bindings, options) as unknown as FastifyBaseLogger;
};

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
type Level = (typeof LEVELS)[number];

/** One object and no closures per request: its methods live on the prototype (a method per level below). */
class LazyRequestLogger {
  private made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildOptions,
  ) {}

  get level(): string {
    return (this.made ?? this.parent).level;
  }

  set level(level: string) {
    this.child().level = level;
  }

  child(): FastifyBaseLogger;
  child(bindings: Bindings, options?: ChildOptions): FastifyBaseLogger;
  child(bindings?: Bindings, options?: ChildOptions): FastifyBaseLogger {
    this.made ??= this.parent.child(this.bindings, this.options);
    return bindings === undefined ? this.made : this.made.child(bindings, options);
  }

  silent(): void {}

  write(level: Level, args: unknown[]): void {
    // pino says whether a level writes; another logger is asked every time.
    const { isLevelEnabled } = this.parent as { isLevelEnabled?: (level: string) => boolean };
    if (!this.made && isLevelEnabled && !isLevelEnabled.call(this.parent, level)) return;
    (this.child()[level] as (...a: unknown[]) => void)(...args);
  }
}

const prototype = LazyRequestLogger.prototype as LazyRequestLogger & Record<Level, (...args: unknown[]) => void>;
for (const level of LEVELS) {
  prototype[level] = function (this: LazyRequestLogger, ...args: unknown[]) {
    this.write(level, args);
  };
}
