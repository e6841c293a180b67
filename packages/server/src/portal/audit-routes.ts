import type { FastifyInstance } from 'fastify';
import type { PortalDeps } from './portal-deps.js';

export async function auditRoutes(_app: FastifyInstance, _options: { deps: PortalDeps }): Promise<void> {}
