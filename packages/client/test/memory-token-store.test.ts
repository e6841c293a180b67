import { describe } from 'vitest';
import { MemoryTokenStore } from '../src/index.js';
import { storeContract } from './helpers/store-contract.js';

describe('MemoryTokenStore', () => {
  storeContract(() => new MemoryTokenStore());
});
