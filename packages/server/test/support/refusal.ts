import { TesseraError } from '../../src/errors/tessera-error.js';

/** The domain error a promise rejects with, as code and message; fails the test when it resolves or throws anything else. */
export async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TesseraError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a TesseraError');
}
