import { expect, test } from 'vitest';
test('dom', () => { expect(typeof document).toBe('object'); });
