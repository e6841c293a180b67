import { Readable } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { exportAuditCsv } from '../audit/audit-csv.js';
import { listAudit, MAX_AUDIT_PAGE } from '../audit/list-audit.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { AuditFilter } from '../store/audit-log.js';
import { sessionOf } from './access.js';
import { AuditPage } from './contract/index.js';
import type { PortalDeps } from './portal-deps.js';
import { auditPageView } from './views.js';

const WHOLE_NUMBER = Type.String({ pattern: '^[0-9]{1,15}$' });
const FILTERS = {
  action: Type.Optional(Type.String({ minLength: 1, maxLength: 50, pattern: '^[a-z_]+$' })),
  from: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  to: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
};

/** The platform's audit log, newest first: a page at a time, or all of it as CSV. Members read it too. */
export async function auditRoutes(app: FastifyInstance, { deps }: { deps: PortalDeps }): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/audit',
    {
      config: { access: {} },
      schema: {
        querystring: Type.Object({ ...FILTERS, before: Type.Optional(WHOLE_NUMBER), limit: Type.Optional(WHOLE_NUMBER) }, { additionalProperties: false }),
        response: { 200: AuditPage },
      },
    },
    async (request) => {
      const { before, limit = '50', ...times } = request.query;
      const size = Number(limit);
      if (size < 1 || size > MAX_AUDIT_PAGE) throw new TesseraError('invalid_input', `The query parameter "limit" must be from 1 to ${MAX_AUDIT_PAGE}`);
      const filter = { ...filterOf(times), before: before === undefined ? undefined : Number(before), limit: size };
      const { platform } = sessionOf(request);
      const page = await listAudit(deps, platform.name, filter);
      return auditPageView(page, await deps.auditLog.heldSince(platform.id));
    },
  );

  // RFC 4180 text, streamed: its columns are the CSV's own (docs/portal-api.md), not a JSON body's.
  const csvResponse = { 200: { content: { 'text/csv': { schema: Type.Unsafe<Readable>({ type: 'string' }) } } } };
  api.get('/audit.csv', { config: { access: {} }, schema: { querystring: Type.Object(FILTERS, { additionalProperties: false }), response: csvResponse } }, async (request, reply) => {
    const { name } = sessionOf(request).platform;
    // Streamed a batch at a time; a bad filter is refused before the first byte (audit/audit-csv.ts).
    const csv = await exportAuditCsv(deps, name, filterOf(request.query));
    return reply
      .header('Content-Type', 'text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="audit-${name}.csv"`)
      .send(Readable.from(csv));
  });
}

/** `from` and `to` are ISO 8601 times (inclusive). */
function filterOf(query: { action?: string | undefined; from?: string | undefined; to?: string | undefined }): AuditFilter {
  const time = (name: 'from' | 'to'): number | undefined => {
    const raw = query[name];
    if (raw === undefined) return undefined;
    const value = /^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d{1,3})?)?(Z|[+-]\d\d:\d\d))?$/.test(raw) ? Date.parse(raw) : Number.NaN;
    if (Number.isNaN(value)) throw new TesseraError('invalid_input', `The query parameter "${name}" must be an ISO 8601 time, e.g. 2026-11-28T12:00:00Z`);
    return value;
  };
  return { action: query.action, from: time('from'), to: time('to') };
}
