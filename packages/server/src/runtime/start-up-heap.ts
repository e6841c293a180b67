import v8 from 'node:v8';

/** V8's own factor (its --semi-space-growth-factor default): the young generation doubles as it fills. */
const V8_GROWTH_FACTOR = 2;

/**
 * Runs start-up with V8's young generation held at its first size, then lets it grow again. Start-up
 * builds some 15 MB of objects that live as long as the process (routes, schemas, compiled code); each
 * young-generation collection that finds them alive doubles that space, to its 16 MB maximum, which an
 * idle instance then keeps. Held, start-up moves them to the old generation a little sooner, and the
 * young generation grows again under load exactly as it does in any fresh process. An operator's own
 * --semi-space-growth-factor (command line or NODE_OPTIONS) is left alone.
 */
export async function withYoungGenerationHeld<T>(start: () => Promise<T>): Promise<T> {
  const flags = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ');
  if (/--semi[-_]space[-_]growth[-_]factor/.test(flags)) return start();
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  try {
    return await start();
  } finally {
    v8.setFlagsFromString(`--semi-space-growth-factor=${V8_GROWTH_FACTOR}`);
  }
}
