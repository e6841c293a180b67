import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, deleteApiKey, revealApiKey, setApiKeyStatus } from '../../src/credentials/api-keys.js';
import { createClient, deleteClient, resetClientQuota, setClientStatus } from '../../src/credentials/oauth-clients.js';
import { createPlatform } from '../../src/credentials/platforms.js';
import { TesseraError } from '../../src/errors/tessera-error.js';
import type { Services } from '../../src/services.js';
import type { Platform } from '../../src/store/platforms.js';
import { startDeployment } from '../support/bootstrap.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';

/** The portal acts for one platform: a credential of another is `not_found`, checked in the write's own transaction. */
describe.each(STORE_KINDS)('credentials scoped to a platform on %s', (store) => {
  let env: TestEnvironment;
  let services: Services;
  let owner: Platform;
  let other: Platform;

  beforeAll(async () => {
    ({ env, services } = await startDeployment({ store }));
    owner = await createPlatform(services, 'owner');
    other = await createPlatform(services, 'other');
  });
  afterAll(async () => env?.close());

  const who = { actor: 'someone@other.example' };

  it('refuses every action on a client of another platform as if it did not exist, and changes nothing', async () => {
    const { client_id } = await createClient(services, 'owner');
    const missing = new TesseraError('not_found', `Client ${client_id} does not exist`);
    const scope = { platformId: other.id };
    await expect(setClientStatus(services, client_id, 'inactive', who, scope)).rejects.toThrow(missing);
    await expect(resetClientQuota(services, client_id, who, scope)).rejects.toThrow(missing);
    await services.oauthClients.setStatus(client_id, 'inactive', services.now());
    await expect(deleteClient(services, client_id, who, scope)).rejects.toThrow(missing);
    await expect(setClientStatus(services, client_id, 'active', who, scope)).rejects.toThrow(missing);
    expect(await services.oauthClients.find(client_id)).toMatchObject({ status: 'inactive' });
    expect((await services.auditLog.chain(owner.id)).map((e) => e.actor)).toEqual(['cli']);
    expect(await services.auditLog.chain(other.id)).toEqual([]);
    // Its own platform's scope works.
    expect(await setClientStatus(services, client_id, 'active', who, { platformId: owner.id })).toMatchObject({ status: 'active' });
    expect(await resetClientQuota(services, client_id, who, { platformId: owner.id })).toMatchObject({ client_id, platform: 'owner', last_token_issued_at: null });
  });

  it('refuses every action on an API key of another platform as if it did not exist, and reveals nothing', async () => {
    const { id } = await createApiKey(services, 'owner');
    const missing = new TesseraError('not_found', `API key ${id} does not exist`);
    const scope = { platformId: other.id };
    await expect(revealApiKey(services, id, who, scope)).rejects.toThrow(missing);
    await expect(setApiKeyStatus(services, id, 'inactive', who, scope)).rejects.toThrow(missing);
    await services.apiKeys.setStatus(id, 'inactive', services.now());
    await expect(deleteApiKey(services, id, who, scope)).rejects.toThrow(missing);
    expect(await services.apiKeys.find(id)).toMatchObject({ status: 'inactive' });
    expect(await services.auditLog.chain(other.id)).toEqual([]);
    await deleteApiKey(services, id, who, { platformId: owner.id });
    expect(await services.apiKeys.find(id)).toBeUndefined();
  });
});
