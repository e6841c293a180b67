import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from '../../src/app';
import { PortalApi } from '../../src/api/portal-api';
import type { Session } from '../../src/api/types';
import { fakeFetch, json, type Reply } from './fake-fetch';

type Routes = Parameters<typeof fakeFetch>[0];

/**
 * The whole portal at `hash`, signed in as `session` (or signed out with null), its API answered by
 * `routes`. Resolves once the first page has rendered.
 */
export async function renderApp(hash: string, routes: Routes, session: Session | null) {
  window.location.hash = hash;
  const sessionReply: Reply = session ? json(200, session) : json(401, { error: 'unauthenticated', message: 'Sign in to continue' });
  const fake = fakeFetch({ 'GET /portal/api/session': sessionReply, ...routes });
  const user = userEvent.setup();
  const api = new PortalApi({ fetch: fake.fetch });
  const view = render(<App api={api} />);
  await screen.findByRole('heading', { level: 1 });
  return { ...fake, user, view, api };
}
