import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import type { TokenPolicy } from '../../src/api/types';
import { formatDuration, tokenPolicySummary } from '../../src/components/token-policy';
import { json } from '../support/fake-fetch';
import { activeClient, adminSession, clientList, inactiveClient, quotaPolicy, ratePolicy } from '../support/fixtures';
import { renderApp } from '../support/render-app';

const list = (tokenPolicy: TokenPolicy) => json(200, clientList([activeClient, inactiveClient], tokenPolicy));
const row = (clientId: string) => screen.getByText(clientId).closest('tr') as HTMLElement;
const description = () => document.querySelector('.page-description')?.textContent;
const teamCard = () => screen.getByRole('heading', { name: 'OAuth client credentials' }).closest('section')?.querySelector('p')?.textContent;
const otherLists = {
  'GET /portal/api/api-keys': json(200, { platformName: 'acme', keys: [], maxActive: 2 }),
  'GET /portal/api/users': json(200, { users: [], invitations: [] }),
};

/** Issue 22: the portal says the token policy in force on its server, from GET /oauth-clients, not the seed's "20 hours". */
describe('the token policy in force', () => {
  test('quota: the OAuth clients page says the interval and the lifetime of this server, and offers the reset while the quota refuses', async () => {
    const policy: TokenPolicy = { policy: 'quota', intervalSeconds: 1_800, tokenLifetimeSeconds: 3_600 };
    await renderApp('#/team/oauth-clients', { 'GET /portal/api/oauth-clients': list(policy) }, adminSession);
    await screen.findByText('cli_active1');
    expect(description()).toBe(
      'Your integrations exchange a client id and secret for an access token at POST /oauth/token. ' +
        'A client may request one new token every 30 minutes, and a token of the default audience lives 1 hour: keep it and reuse it.',
    );
    expect(within(row('cli_active1')).getByText(/Next token from/)).toBeTruthy();
    expect(within(row('cli_active1')).getByRole('button', { name: 'Reset quota' })).toBeTruthy();
  });

  test('quota with the server defaults: every 20 hours, 24 hours', async () => {
    await renderApp('#/team/oauth-clients', { 'GET /portal/api/oauth-clients': list(quotaPolicy) }, adminSession);
    await screen.findByText('cli_active1');
    expect(description()).toContain('A client may request one new token every 20 hours, and a token of the default audience lives 24 hours: keep it and reuse it.');
  });

  test('rate: the page says the rate, and shows no next token time and no quota reset', async () => {
    await renderApp('#/team/oauth-clients', { 'GET /portal/api/oauth-clients': list(ratePolicy) }, adminSession);
    await screen.findByText('cli_active1');
    expect(description()).toBe(
      'Your integrations exchange a client id and secret for an access token at POST /oauth/token. ' +
        'A client may make up to 100 token requests per second, and a token of the default audience lives 24 hours: keep it and reuse it.',
    );
    // Even were a next token time given, there is no quota under rate: the server refuses a reset (409).
    expect(within(row('cli_active1')).queryByText(/Next token from/)).toBeNull();
    expect(screen.queryByRole('button', { name: 'Reset quota' })).toBeNull();
    expect(within(row('cli_active1')).getByRole('button', { name: 'Deactivate' })).toBeTruthy();
    expect(screen.queryByText(/20 hours/)).toBeNull();
  });

  test.each([
    [quotaPolicy, 'Client ids and secrets your integrations exchange for OAuth access tokens (one new token per client every 20 hours).'],
    [{ policy: 'quota', intervalSeconds: 3_600, tokenLifetimeSeconds: 86_400 } as const, 'Client ids and secrets your integrations exchange for OAuth access tokens (one new token per client every hour).'],
    [ratePolicy, 'Client ids and secrets your integrations exchange for OAuth access tokens (up to 100 token requests per client per second).'],
  ])('the Team page says the policy in its card: %o', async (policy, says) => {
    await renderApp('#/team', { 'GET /portal/api/oauth-clients': json(200, clientList([], policy)), ...otherLists }, adminSession);
    await waitFor(() => expect(teamCard()).toBe(says));
  });

  test('the Team page words it without numbers when the list does not answer', async () => {
    await renderApp('#/team', { 'GET /portal/api/oauth-clients': json(500, { error: 'server_error', message: 'Something failed on our side' }), ...otherLists }, adminSession);
    await screen.findByRole('heading', { name: 'OAuth client credentials' });
    expect(teamCard()).toBe('Client ids and secrets your integrations exchange for OAuth access tokens (within the token policy of this server).');
  });

  test('durations and policies in words', () => {
    expect([86_400, 72_000, 3_600, 1_800, 300, 60, 90, 1, 172_800, 604_800, 31_536_000].map(formatDuration)).toEqual([
      '24 hours',
      '20 hours',
      '1 hour',
      '30 minutes',
      '5 minutes',
      '1 minute',
      '90 seconds',
      '1 second',
      '2 days',
      '7 days',
      '365 days',
    ]);
    expect(tokenPolicySummary({ policy: 'quota', intervalSeconds: 0, tokenLifetimeSeconds: 86_400 })).toBe('a new token at any time');
    expect(tokenPolicySummary({ policy: 'rate', requestsPerSecond: 1, tokenLifetimeSeconds: 300 })).toBe('up to 1 token request per client per second');
    expect(tokenPolicySummary({ policy: 'rate', requestsPerSecond: 1_000, tokenLifetimeSeconds: 300 })).toBe('up to 1,000 token requests per client per second');
  });
});
