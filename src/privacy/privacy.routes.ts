/**
 * @module `GET /api/contacts/:id/export`: everything held about a contact as one JSON document,
 * streamed (GDPR Art. 15/20). Erasure is `DELETE /api/contacts/:id?erase=true`, registered with the
 * other contact routes (src/contacts/contacts.routes.ts) and served by ./erase.ts. Both are recorded
 * in the audit log (src/audit).
 */
import { Readable } from 'node:stream';
import { z } from 'zod';
import type { RouteModule } from '../api/deps.js';
import { actorOf, requireKey, workspaceOf } from '../api/auth.js';
import { errorResponses, idParams } from '../api/schemas.js';
import { recordAudit } from '../audit/audit.js';
import { EXPORT_SECTIONS, exportableContact, exportChunks } from './export.js';

export const privacyRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');

  app.get(
    '/api/contacts/:id/export',
    {
      onRequest: admin,
      schema: {
        tags: ['privacy'],
        summary: 'Everything held about a contact, as one JSON document (GDPR Art. 15/20); audit-logged',
        description: `Streamed. Keys: exportedAt, contact, ${EXPORT_SECTIONS.join(', ')} (arrays, oldest first).`,
        params: idParams,
        response: { 200: z.object({ exportedAt: z.number(), contact: z.record(z.string(), z.unknown()) }).catchall(z.array(z.unknown())), ...errorResponses },
      },
    },
    async (request, reply) => {
      const workspaceId = workspaceOf(request);
      const contact = await exportableContact(deps, workspaceId, request.params.id);
      await recordAudit(deps.store.db, { workspaceId, actor: actorOf(request), action: 'contact.exported', subject: contact.id, at: deps.clock.now() });
      const body = Readable.from(exportChunks(deps, contact));
      // A failure mid-stream cannot change the status any more: log it; the client sees a cut-off document.
      body.on('error', (err) => request.log.error({ err, contactId: contact.id }, 'contact export failed mid-stream'));
      return reply
        .header('content-type', 'application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="contact-${contact.id}.json"`)
        .send(body as never);
    },
  );
};
