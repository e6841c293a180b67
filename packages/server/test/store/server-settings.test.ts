import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../src/services.js';
import { ServerSettingStore } from '../../src/store/server-settings.js';
import { startDeployment } from '../support/bootstrap.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';

describe.each(STORE_KINDS)('the public URL a server records for the `tessera` command, on %s', (store) => {
  let env: TestEnvironment;
  let services: Services;

  beforeAll(async () => {
    ({ env, services } = await startDeployment({ store }));
  });
  afterAll(async () => env.close());

  it('is undefined before any server started, and the last start replaces it', async () => {
    const settings = new ServerSettingStore(services.database.db);
    expect(await settings.publicUrl()).toBeUndefined();
    await settings.recordPublicUrl('http://127.0.0.1:9000', 1);
    expect(await settings.publicUrl()).toBe('http://127.0.0.1:9000');
    await settings.recordPublicUrl('https://auth.example.com', 2);
    expect(await new ServerSettingStore(services.database.db).publicUrl()).toBe('https://auth.example.com');
  });
});
