import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import { json, type Call } from '../support/fake-fetch';
import { adminSession, auditEntry } from '../support/fixtures';
import { renderApp } from '../support/render-app';

const page = (entries: ReturnType<typeof auditEntry>[], next: number | null) => json(200, { entries, next, entriesSince: null, olderArchived: false });

describe('Audit Log', () => {
  test('shows each entry: UTC time, actor, readable action, target, source, user agent, outcome', async () => {
    const ua = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';
    await renderApp(
      '#/audit',
      {
        'GET /portal/api/audit': page(
          [auditEntry(12, { userAgent: ua }), auditEntry(11, { action: 'token_refused', actor: 'cli_1', targetId: 'cli_1', outcome: 'failure', sourceAddress: null, userAgent: null })],
          null,
        ),
      },
      adminSession,
    );
    await screen.findByRole('cell', { name: 'Revealed API key' });
    await waitFor(() => expect(document.title).toBe('Audit Log · Tessera'));
    const [first, second] = screen.getAllByRole('row').slice(1);
    expect([...first!.querySelectorAll('td')].map((td) => td.textContent)).toEqual([
      '2026-11-29 10:00:05',
      'dana@acme.example',
      'Revealed API key',
      'key_active1',
      `203.0.113.24${ua}`,
      'Success',
    ]);
    expect(within(first!).getByText(ua).getAttribute('title')).toBe(ua);
    expect([...second!.querySelectorAll('td')].map((td) => td.textContent)).toEqual([
      '2026-11-29 10:00:05',
      'cli_1',
      'Token refused (quota, rate or limit)',
      'cli_1',
      'No addressNo user agent',
      'Failure',
    ]);
    expect(screen.getByText('2 entries: the beginning of the log.')).toBeTruthy();
  });

  test('says from when the store holds entries, and that older ones were archived', async () => {
    const held = (olderArchived: boolean) => json(200, { entries: [auditEntry(12)], next: null, entriesSince: '2026-11-01T08:00:00.000Z', olderArchived });
    await renderApp('#/audit', { 'GET /portal/api/audit': held(true) }, adminSession);
    expect((await screen.findByText(/^Newest first/)).textContent).toBe('Newest first · Entries since 2026-11-01 08:00:00; older ones archived');
  });

  test('says from when it holds entries without "archived" when nothing was, and nothing before the first entry', async () => {
    await renderApp('#/audit', { 'GET /portal/api/audit': json(200, { entries: [auditEntry(1)], next: null, entriesSince: '2026-11-29T10:00:05.000Z', olderArchived: false }) }, adminSession);
    expect((await screen.findByText(/^Newest first/)).textContent).toBe('Newest first · Entries since 2026-11-29 10:00:05');
  });

  test('says only "Newest first" while the log is empty', async () => {
    await renderApp('#/audit', { 'GET /portal/api/audit': json(200, { entries: [], next: null, entriesSince: null, olderArchived: false }) }, adminSession);
    await screen.findByText('No activity yet.');
    expect(screen.queryByText(/Entries since/)).toBeNull();
  });

  test('filters become the query string (dates read as UTC), and Export CSV follows them', async () => {
    const app = await renderApp('#/audit', { 'GET /portal/api/audit': page([auditEntry(1)], null) }, adminSession);
    await screen.findByRole('cell', { name: 'Revealed API key' });
    const csv = screen.getByRole('link', { name: 'Export CSV' });
    expect(csv.getAttribute('href')).toBe('/portal/api/audit.csv');

    await app.user.selectOptions(screen.getByLabelText('Action'), 'Token refused (quota, rate or limit)');
    fireEvent.change(screen.getByLabelText('From (UTC)'), { target: { value: '2026-11-01T00:00' } });
    fireEvent.change(screen.getByLabelText('To (UTC)'), { target: { value: '2026-11-30T23:59' } });
    await app.user.click(screen.getByRole('button', { name: 'Apply filters' }));

    const query = 'action=token_refused&from=2026-11-01T00%3A00%3A00.000Z&to=2026-11-30T23%3A59%3A00.000Z';
    await waitFor(() => expect(app.requests()).toEqual(['GET /portal/api/audit', `GET /portal/api/audit?${query}`]));
    expect(csv.getAttribute('href')).toBe(`/portal/api/audit.csv?${query}`);

    await app.user.click(screen.getByRole('button', { name: 'Clear' }));
    await waitFor(() => expect(app.requests().at(-1)).toBe('GET /portal/api/audit'));
    expect(csv.getAttribute('href')).toBe('/portal/api/audit.csv');
  });

  test('"From" after "To" is refused next to the filters, with no request', async () => {
    const app = await renderApp('#/audit', { 'GET /portal/api/audit': page([], null) }, adminSession);
    await screen.findByText('No activity yet.');
    fireEvent.change(screen.getByLabelText('From (UTC)'), { target: { value: '2026-11-30T00:00' } });
    fireEvent.change(screen.getByLabelText('To (UTC)'), { target: { value: '2026-11-01T00:00' } });
    await app.user.click(screen.getByRole('button', { name: 'Apply filters' }));
    expect(screen.getByRole('alert').textContent).toBe('"From" must be before "To".');
    expect(app.requests()).toEqual(['GET /portal/api/audit']);
  });

  test('Load more asks for the page before `next`, with the same filters, and appends it', async () => {
    const app = await renderApp(
      '#/audit',
      {
        'GET /portal/api/audit': (call: Call) => {
          if (call.url.includes('before=11')) return page([auditEntry(10, { action: 'sign_in' })], null);
          return page([auditEntry(12), auditEntry(11, { action: 'generate' })], 11);
        },
      },
      adminSession,
    );
    await screen.findByRole('cell', { name: 'Revealed API key' });
    await app.user.selectOptions(screen.getByLabelText('Action'), 'All actions');
    await app.user.click(screen.getByRole('button', { name: 'Load more' }));
    await screen.findByRole('cell', { name: 'Signed in' });
    expect(app.requests()).toEqual(['GET /portal/api/audit', 'GET /portal/api/audit?before=11']);
    expect(screen.getAllByRole('row')).toHaveLength(4);
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
    expect(screen.getByText('3 entries: the beginning of the log.')).toBeTruthy();
  });

  test('Load more keeps the filters that are applied', async () => {
    const app = await renderApp(
      '#/audit',
      { 'GET /portal/api/audit': (call: Call) => page(call.url.includes('before') ? [] : [auditEntry(5)], call.url.includes('before') ? null : 5) },
      adminSession,
    );
    await screen.findByRole('cell', { name: 'Revealed API key' });
    await app.user.selectOptions(screen.getByLabelText('Action'), 'Revealed API key');
    await app.user.click(screen.getByRole('button', { name: 'Apply filters' }));
    await waitFor(() => expect(app.requests()).toHaveLength(2));
    await app.user.click(await screen.findByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(app.requests().at(-1)).toBe('GET /portal/api/audit?action=reveal&before=5'));
  });

  test('an empty log says what will appear; empty filtered results say how to widen them', async () => {
    const app = await renderApp('#/audit', { 'GET /portal/api/audit': page([], null) }, adminSession);
    expect(await screen.findByText('No activity yet.')).toBeTruthy();
    await app.user.selectOptions(screen.getByLabelText('Action'), 'Signed out');
    await app.user.click(screen.getByRole('button', { name: 'Apply filters' }));
    expect(await screen.findByText('No entries match these filters.')).toBeTruthy();
  });
});
