import { describe, expect, it } from 'vitest';
import { Stopwatch } from '../src/stopwatch.js';

describe('Stopwatch', () => {
  it('with a frozen clock, counts what it slept: a bounded wait still ends', async () => {
    const slept: number[] = [];
    const watch = new Stopwatch(() => 1_000, async (ms) => void slept.push(ms));
    expect(watch.elapsed()).toBe(0);
    await watch.sleep(100);
    await watch.sleep(250);
    await watch.sleep(0); // nothing to sleep
    expect(slept).toEqual([100, 250]);
    expect(watch.elapsed()).toBe(350);
  });

  it('with a running clock, counts what the clock says (which includes the time between sleeps)', async () => {
    let clock = 0;
    const watch = new Stopwatch(
      () => clock,
      async (ms) => void (clock += ms),
    );
    await watch.sleep(100);
    clock += 400; // e.g. a slow store call
    expect(watch.elapsed()).toBe(500);
  });

  it('ends early when the injected clock jumps forward, like every other deadline of the manager', () => {
    let clock = 0;
    const watch = new Stopwatch(() => clock, async () => undefined);
    clock += 3_600_000;
    expect(watch.elapsed()).toBe(3_600_000);
  });

  it('sleeps real time by default', async () => {
    const watch = new Stopwatch(() => 0);
    const started = Date.now();
    await watch.sleep(50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(watch.elapsed()).toBe(50);
  });
});
