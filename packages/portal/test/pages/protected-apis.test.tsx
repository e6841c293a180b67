import { screen, within } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import type { AudienceList } from '../../src/api/types';
import { json } from '../support/fake-fetch';
import { activeClient, clientList, memberSession } from '../support/fixtures';
import { renderApp } from '../support/render-app';

const audiences: AudienceList = {
  audiences: [
    { url: 'http://127.0.0.1:8080/raas/v2', ttlSeconds: 86_400, default: true, api: null },
    { url: 'https://api.acme.example/', ttlSeconds: 3_600, default: false, api: { host: 'api.acme.example:8443', pathPrefix: '/v1', platforms: ['acme', 'globex'], credentialKinds: ['api_key'] } },
    { url: 'https://internal.example/', ttlSeconds: 300, default: false, api: { host: null, pathPrefix: '/', platforms: null, credentialKinds: null } },
    { url: 'https://tokens-only.example/', ttlSeconds: 600, default: false, api: null },
  ],
};

/** Issue 23: the protected APIs among the audiences, with where they answer and who may call them, read-only. */
describe('protected APIs on the OAuth clients page', () => {
  test('each API shows its host, path prefix, platforms and credential kinds; a plain audience says it is none', async () => {
    await renderApp('#/team/oauth-clients', { 'GET /portal/api/oauth-clients': json(200, clientList([activeClient])), 'GET /portal/api/audiences': json(200, audiences) }, memberSession);
    const card = screen.getByRole('region', { name: 'Audiences' });
    await within(card).findByText('https://api.acme.example/');
    expect([...card.querySelectorAll('thead th')].map((th) => th.textContent)).toEqual(['Audience', 'Protected API', 'Token lifetime']);
    /** Each row's cells; a protected API's facts as "term: value" pairs. */
    const rows = [...card.querySelectorAll('tbody tr')].map((tr) =>
      [...tr.querySelectorAll('td')].map((td) => {
        const terms = [...td.querySelectorAll('dt')];
        return terms.length === 0 ? td.textContent : terms.map((dt) => `${dt.textContent}: ${dt.nextElementSibling!.textContent}`);
      }),
    );
    expect(rows).toEqual([
      ['http://127.0.0.1:8080/raas/v2Default', 'No', '24 hours'],
      ['https://api.acme.example/', ['Host: api.acme.example:8443', 'Path prefix: /v1', 'Platforms: acme, globex', 'Credentials: API keys (Basic)'], '1 hour'],
      ['https://internal.example/', ['Host: Any host', 'Path prefix: /', 'Platforms: Every platform', 'Credentials: OAuth clients and API keys'], '5 minutes'],
      ['https://tokens-only.example/', 'No', '10 minutes'],
    ]);
    // The host and the prefix as written in a request (code), the words as words.
    const api = card.querySelectorAll('tbody tr')[1]!;
    expect([...api.querySelectorAll('dd code')].map((code) => code.textContent)).toEqual(['api.acme.example:8443', '/v1']);
    // Read-only: nothing to press in the card.
    expect(within(card).queryAllByRole('button')).toEqual([]);
  });
});
