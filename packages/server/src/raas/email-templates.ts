import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { principalOf } from '../auth/principal.js';
import {
  createEmailTemplate,
  deleteEmailTemplate,
  type EmailTemplateDeps,
  findEmailTemplate,
  updateEmailTemplate,
} from '../email-templates/email-templates.js';
import * as example from './examples.js';
import { errorResponses, GUARDED_ERRORS, tango } from './route-docs.js';
import {
  CreateEmailTemplateCriteria,
  EmailTemplateListView,
  EmailTemplateViewVerbose,
  emailTemplateView,
  EtidParams,
  UpdateEmailTemplateCriteria,
} from './email-template-views.js';
import { PageQuery, pageOf, pageView } from './page-view.js';

function tangoTemplates(operationId: string, summary: string) {
  return tango('Email Templates', operationId, summary);
}

/**
 * Email templates (RaaS v2 "Email Templates"), each platform seeing only its own: the text and look of
 * the reward emails of orders (their etid). Their lifecycle is email-templates/email-templates.ts.
 */
export async function emailTemplateRoutes(app: FastifyInstance, { services }: { services: EmailTemplateDeps }): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/emailTemplates',
    {
      schema: {
        ...tangoTemplates('listEmailTemplates', 'Get a list of all Email Templates on this Platform.'),
        querystring: PageQuery,
        response: { 200: { ...EmailTemplateListView, description: "A page of the platform's email templates, oldest first" }, ...errorResponses(...GUARDED_ERRORS) },
      },
    },
    async (request) => {
      const page = pageOf(request.query);
      const { rows, total } = await services.emailTemplates.list(principalOf(request).platformId, page);
      return { emailTemplates: rows.map(emailTemplateView), page: pageView(page, rows.length, total) };
    },
  );

  api.post(
    '/emailTemplates',
    {
      schema: {
        ...tangoTemplates('createEmailTemplate', 'Create a new email template'),
        body: CreateEmailTemplateCriteria,
        response: { 201: { ...EmailTemplateViewVerbose, description: 'The new email template' }, ...errorResponses(...GUARDED_ERRORS, 404, 409) },
      },
    },
    async (request, reply) => {
      const row = await createEmailTemplate(services, principalOf(request), request.body);
      return reply.code(201).send(emailTemplateView(row));
    },
  );

  api.get(
    '/emailTemplates/:etid',
    {
      schema: {
        ...tangoTemplates('getEmailTemplate', 'Get details for a specific Email Template on this Platform.'),
        params: EtidParams,
        response: { 200: { ...EmailTemplateViewVerbose, description: 'The email template' }, ...errorResponses(...GUARDED_ERRORS, 404) },
      },
    },
    async (request) => emailTemplateView(await findEmailTemplate(services, principalOf(request).platformId, request.params.etid)),
  );

  api.patch(
    '/emailTemplates/:etid',
    {
      schema: {
        ...tangoTemplates('updateEmailTemplate', 'Update details for a specific Email Template on this Platform.'),
        params: EtidParams,
        body: UpdateEmailTemplateCriteria,
        response: {
          200: { ...EmailTemplateViewVerbose, description: 'The email template, changed', examples: [example.UPDATED_EMAIL_TEMPLATE_VIEW] },
          ...errorResponses(...GUARDED_ERRORS, 404, 409),
        },
      },
    },
    async (request) => emailTemplateView(await updateEmailTemplate(services, principalOf(request), request.params.etid, request.body)),
  );

  api.delete(
    '/emailTemplates/:etid',
    {
      schema: {
        ...tangoTemplates('deleteEmailTemplate', 'Delete a specific Email Template on this Platform.'),
        params: EtidParams,
        response: { 204: { type: 'null', description: 'Deleted: the etid names nothing from now on' }, ...errorResponses(...GUARDED_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      await deleteEmailTemplate(services, principalOf(request).platformId, request.params.etid);
      return reply.code(204).send(null);
    },
  );
}
