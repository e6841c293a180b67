import { describe, expect, it } from 'vitest';
import { logAtMostEvery } from '../../src/log/log-at-most-every.js';
import { TestClock } from '../support/services.js';

describe('logAtMostEvery', () => {
  it('logs the first call, then at most once per interval of the injected clock', () => {
    const clock = new TestClock();
    const logged: string[] = [];
    const warn = logAtMostEvery(60_000, (message: string) => logged.push(message), clock.now);
    warn('first');
    clock.current += 59_999;
    warn('too soon');
    clock.current += 1;
    warn('a minute later');
    warn('same moment');
    expect(logged).toEqual(['first', 'a minute later']);
  });
});
