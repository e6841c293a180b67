import { decodeProtectedHeader } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { requestToken } from '../support/oauth.js';
import { startDeployment } from '../support/bootstrap.js';
import type { TestEnvironment } from '../support/services.js';
import { createTestClient } from '../support/tenants.js';

// Node 24 deprecates making a KeyObject from a non-extractable WebCrypto key (DEP0204,
// https://nodejs.org/api/deprecations.html#DEP0204), a step before a later major refuses it; the key ring
// holds node:crypto key objects so signing never does. Node warns once per process: this file runs in a
// process of its own (vitest's forks pool) and signs nothing before the listener is on, so a warning here
// came from what it runs. It can only fail on Node 24 or later, which .ci/run runs the suite on.
describe('signing on every supported Node.js', () => {
  const warnings: string[] = [];
  const onWarning = (warning: Error & { code?: string }) => warnings.push(`${warning.name} ${warning.code ?? ''}: ${warning.message}`);
  process.on('warning', onWarning);
  const envs: TestEnvironment[] = [];
  afterAll(async () => {
    process.off('warning', onWarning);
    for (const env of envs) await env.close();
  });

  it.each(['RS256', 'ES256', 'EdDSA'] as const)('signs %s tokens with no Node.js warning (DEP0204 on Node 24)', async (alg) => {
    const { env, app, services } = await startDeployment({ config: { signingAlgorithm: alg } });
    envs.push(env);
    const response = await requestToken(app, await createTestClient(services));
    expect(response.statusCode).toBe(200);
    expect(decodeProtectedHeader(response.json().access_token as string)).toMatchObject({ alg, typ: 'at+jwt' });
    // process.emitWarning delivers on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).toEqual([]);
  });
});
