import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/**
 * Fastify's childLoggerFactory: a request's logger (the app's, bound to the request id) is made when the
 * request first writes a line, not for every request. Making it is not free: pino runs the redaction of
 * log-options.ts over a child's bindings — 6 % of the time of a refused token request in issue 13's
 * profile — and at the production level most requests write nothing. A route with a level of its own
 * gets its child at once, as Fastify would make it.
 */
export const lazyChildLogger: NonNullable<FastifyServerOptions['childLoggerFactory']> = function (logger, bindings, options) {
  if (options.level !== undefined) return logger.child(bindings, options);
  // pino says whether a level writes; another logger is asked every time.
  const { isLevelEnabled } = logger as { isLevelEnabled?: (level: string) => boolean };
  const writes = (level: string) => (isLevelEnabled ? isLevelEnabled.call(logger, level) : true);
  let child: FastifyBaseLogger | undefined;
  const made = () => (child ??= logger.child(bindings, options));
  const lazy = {
    get level() {
      return (child ?? logger).level;
    },
    set level(level: string) {
      made().level = level;
    },
    child: (more: Parameters<FastifyBaseLogger['child']>[0], moreOptions?: Parameters<FastifyBaseLogger['child']>[1]) => made().child(more, moreOptions),
    silent: () => {},
  } as Record<string, unknown>;
  for (const level of LEVELS) {
    lazy[level] = (...args: unknown[]) => {
      if (child || writes(level)) (made()[level] as (...a: unknown[]) => void)(...args);
    };
  }
  return lazy as unknown as FastifyBaseLogger;
};
