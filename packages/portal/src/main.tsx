import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { PortalApi } from './api/portal-api';
import { App } from './app';
import './styles/base.css';
import './styles/layout.css';
import './styles/components.css';
import './styles/pages.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');

createRoot(root).render(
  <StrictMode>
    <App api={new PortalApi()} />
  </StrictMode>,
);
