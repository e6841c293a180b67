// Throughput of POST /oauth/token on the embedded default (SQLite), in three paths: issuing (quota off,
// so every request signs an RS256 token), refused by the quota, and refused for a wrong secret.
import { deployment, measure } from './support.js';

const rows = [];
for (const [name, quota] of [
  ['token issued (RS256, quota off)', '0'],
  ['quota refusal (400 rate_limit_exceeded)', '72000'],
]) {
  const server = await deployment({ TESSERA_QUOTA_INTERVAL: quota, TESSERA_AUTH_FAILURE_LIMIT: '1000000' });
  await server.cli('platform', 'create', 'bench');
  const client = await server.cli('client', 'create', '--platform', 'bench');
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret }).toString();
  const request = { url: `${server.url}/oauth/token`, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } };
  if (quota !== '0') await fetch(request.url, { ...request, body }); // use the one token
  rows.push(await measure(name, { ...request, body }));
  if (quota !== '0') {
    const wrong = body.replace(/client_secret=[^&]+/, 'client_secret=tsc_secret_wrong');
    rows.push(await measure('wrong secret (401 invalid_client)', { ...request, body: wrong }));
    // Should match the wrong-secret row: an unknown client does the same work.
    const unknown = wrong.replace(/client_id=[^&]+/, 'client_id=cli_0000000000000000000000');
    rows.push(await measure('unknown client (401 invalid_client)', { ...request, body: unknown }));
  }
  await server.stop();
}
console.log('POST /oauth/token, 10 connections, SQLite, in-process cache');
console.table(rows);
