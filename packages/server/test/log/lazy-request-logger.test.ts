import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { FastifyBaseLogger } from 'fastify';
import { lazyChildLogger } from '../../src/log/lazy-request-logger.js';
import { logOptions } from '../../src/log/log-options.js';

function appLogger(level: string) {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino(logOptions(level), { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger: logger as unknown as FastifyBaseLogger, lines, child: vi.spyOn(logger, 'child') };
}

describe('the request logger (childLoggerFactory)', () => {
  it('is not made for a request that writes nothing at the level in force', () => {
    const { logger, lines, child } = appLogger('warn');
    const log = lazyChildLogger.call(undefined as never, logger, { reqId: 'r-1' }, {}, undefined as never);
    log.info({ client_id: 'cli_x' }, 'access token issued');
    log.debug('detail');
    expect(child).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
    expect(log.level).toBe('warn');
  });

  it('is made once, on the first line written, which carries the request id and is redacted', () => {
    const { logger, lines, child } = appLogger('info');
    const log = lazyChildLogger.call(undefined as never, logger, { reqId: 'r-2' }, {}, undefined as never);
    log.info({ headers: { authorization: 'Basic c2VjcmV0' } }, 'first');
    log.warn('second');
    expect(child).toHaveBeenCalledTimes(1);
    expect(lines.map(({ reqId, msg, headers }) => ({ reqId, msg, headers }))).toEqual([
      { reqId: 'r-2', msg: 'first', headers: { authorization: '[redacted]' } },
      { reqId: 'r-2', msg: 'second', headers: undefined },
    ]);
  });

  it('makes the child at once for a route with a level of its own', () => {
    const { logger, child } = appLogger('warn');
    const log = lazyChildLogger.call(undefined as never, logger, { reqId: 'r-3' }, { level: 'debug' }, undefined as never);
    expect(child).toHaveBeenCalledTimes(1);
    expect(log.level).toBe('debug');
  });
});
