/**
 * @module Every public HTTP endpoint, with the key it expects, for the fuzz tests. Path parameters
 * are `:name`; the fuzzer fills them with real ids (of the attacking or the other workspace) or junk.
 * A new route belongs here too: the list is checked against the app's own route table.
 */
export type KeyKind = 'admin' | 'write' | 'public';

export interface Endpoint {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  key: KeyKind;
}

const e = (method: Endpoint['method'], path: string, key: KeyKind): Endpoint => ({ method, path, key });

export const ENDPOINTS: Endpoint[] = [
  // Ingestion (Segment-compatible, write key)
  ...['identify', 'track', 'page', 'screen', 'group', 'alias', 'batch'].map((p) => e('POST', `/v1/${p}`, 'write')),
  // Segment's short paths (analytics.js), the same handlers
  ...['i', 't', 'p', 's', 'g', 'a', 'b'].map((p) => e('POST', `/v1/${p}`, 'write')),
  // Management API (admin key)
  e('POST', '/api/contacts', 'admin'),
  e('GET', '/api/contacts', 'admin'),
  e('GET', '/api/contacts/:contactId', 'admin'),
  e('PATCH', '/api/contacts/:contactId', 'admin'),
  e('DELETE', '/api/contacts/:contactId', 'admin'),
  e('GET', '/api/contacts/:contactId/lists', 'admin'),
  e('GET', '/api/contacts/:contactId/consent', 'admin'),
  e('GET', '/api/contacts/:contactId/consent/history', 'admin'),
  e('PUT', '/api/contacts/:contactId/consent/:channel', 'admin'),
  e('GET', '/api/contacts/:contactId/journeys', 'admin'),
  e('POST', '/api/lists', 'admin'),
  e('GET', '/api/lists', 'admin'),
  e('GET', '/api/lists/:listId', 'admin'),
  e('PATCH', '/api/lists/:listId', 'admin'),
  e('DELETE', '/api/lists/:listId', 'admin'),
  e('POST', '/api/lists/:listId/members', 'admin'),
  e('GET', '/api/lists/:listId/members', 'admin'),
  e('PATCH', '/api/lists/:listId/members/:contactId', 'admin'),
  e('DELETE', '/api/lists/:listId/members/:contactId', 'admin'),
  e('POST', '/api/keys', 'admin'),
  e('GET', '/api/keys', 'admin'),
  e('DELETE', '/api/keys/:keyId', 'admin'),
  e('PATCH', '/api/keys/:keyId', 'admin'),
  e('POST', '/api/keys/:keyId/revoke', 'admin'),
  e('POST', '/api/journeys', 'admin'),
  e('GET', '/api/journeys', 'admin'),
  e('POST', '/api/journeys/validate', 'admin'),
  e('PUT', '/api/journeys/:journeyId', 'admin'),
  e('GET', '/api/journeys/:journeyId', 'admin'),
  e('POST', '/api/journeys/:journeyId/status', 'admin'),
  e('GET', '/api/journeys/:journeyId/versions/:version', 'admin'),
  e('GET', '/api/journeys/:journeyId/runs', 'admin'),
  e('POST', '/api/journeys/:journeyId/enroll', 'admin'),
  e('POST', '/api/templates', 'admin'),
  e('GET', '/api/templates', 'admin'),
  e('PUT', '/api/templates/:templateId', 'admin'),
  e('GET', '/api/templates/:templateId', 'admin'),
  e('DELETE', '/api/templates/:templateId', 'admin'),
  e('GET', '/api/templates/:templateId/versions/:version', 'admin'),
  e('POST', '/api/templates/:templateId/preview', 'admin'),
  e('GET', '/api/workspace', 'admin'),
  e('PATCH', '/api/workspace', 'admin'),
  e('POST', '/api/webhooks/email-events', 'admin'),
  e('POST', '/api/webhooks/email-events/secret', 'admin'),
  e('GET', '/api/email/provider', 'admin'),
  e('PUT', '/api/email/provider', 'admin'),
  e('GET', '/api/outbox', 'admin'),
  e('GET', '/api/outbox/:messageId/raw', 'admin'),
  e('GET', '/api/messages', 'admin'),
  e('POST', '/api/messages/send', 'admin'),
  e('GET', '/api/messages/:messageId', 'admin'),
  e('GET', '/api/suppressions', 'admin'),
  e('POST', '/api/suppressions', 'admin'),
  e('DELETE', '/api/suppressions/:address', 'admin'),
  e('POST', '/api/segments', 'admin'),
  e('GET', '/api/segments', 'admin'),
  e('POST', '/api/segments/preview', 'admin'),
  e('GET', '/api/segments/:segmentId', 'admin'),
  e('PATCH', '/api/segments/:segmentId', 'admin'),
  e('DELETE', '/api/segments/:segmentId', 'admin'),
  e('GET', '/api/segments/:segmentId/contacts', 'admin'),
  e('POST', '/api/forms', 'admin'),
  e('GET', '/api/forms', 'admin'),
  e('GET', '/api/forms/:formId', 'admin'),
  e('PATCH', '/api/forms/:formId', 'admin'),
  e('DELETE', '/api/forms/:formId', 'admin'),
  // Public: tracking, unsubscribe and preference links, signup forms, the dev outbox, health, metrics
  e('GET', '/o/:openFile', 'public'),
  e('GET', '/c/:token', 'public'),
  e('GET', '/u/:token', 'public'),
  e('POST', '/u/:token', 'public'),
  e('GET', '/p/:token', 'public'),
  e('POST', '/p/:token', 'public'),
  e('GET', '/f/confirm/:confirmToken', 'public'),
  e('POST', '/f/confirm/:confirmToken', 'public'),
  e('GET', '/f/:formId', 'public'),
  e('POST', '/f/:formId', 'public'),
  e('GET', '/outbox', 'public'),
  e('GET', '/outbox/:messageId', 'public'),
  e('GET', '/healthz', 'public'),
  e('GET', '/metrics', 'public'),
];
