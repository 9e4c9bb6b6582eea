/**
 * @module The `mailgun` provider: Mailgun's `POST /v3/<domain>/messages.mime`, multipart/form-data
 * with `to` and the raw MIME message (the same bytes SMTP would send, DKIM-signed with the workspace
 * key when it has one), basic auth `api:<key>`. Our record id travels as the variable
 * `v:qatra_message_id`, which Mailgun returns in every event (`user-variables`); the answer's `id`
 * (our Message-ID, which Mailgun keeps) is the provider message id. Region: `eu` uses
 * https://api.eu.mailgun.net; `baseUrl` overrides both. Mailgun's tracking stays off (`o:tracking`).
 *
 * Errors: 200 → sent; 400 → permanent; 401/403 (key), 404 (domain not found: the operator's
 * settings), 429 and 5xx → retryable. Suppressed recipients are accepted and reported as `failed`
 * events (./webhook.ts).
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../../../core/clock.js';
import type { EmailProvider, OutgoingEmail, ProviderResult } from '../../provider.js';
import type { EmailSecrets, EmailSettings } from '../../settings.js';
import { endpoint, espTransport, failureResult, jsonOf, statusResult } from '../esp/http.js';
import { RECORD_ID_FIELD } from '../esp/kinds.js';
import { checkedRecipient, espConfig, rawMessage } from '../esp/message.js';

export const MAILGUN_BASE_URLS = { us: 'https://api.mailgun.net', eu: 'https://api.eu.mailgun.net' } as const;

/** A multipart/form-data body of text fields and one file (`message`, the raw MIME). */
/** The API base: `baseUrl` when set, else the region's public endpoint. */
export function mailgunBaseUrl(esp: { region: 'us' | 'eu'; baseUrl?: string | undefined }): string {
  return esp.baseUrl ?? MAILGUN_BASE_URLS[esp.region];
}

export function multipart(fields: Array<[string, string]>, file: { name: string; filename: string; content: string }): { body: string; contentType: string } {
  const boundary = `qatra-${randomBytes(12).toString('hex')}`;
  const parts = fields.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\nContent-Type: message/rfc822\r\n\r\n${file.content}\r\n`);
  return { body: `${parts.join('')}--${boundary}--\r\n`, contentType: `multipart/form-data; boundary=${boundary}` };
}

export function createMailgunProvider(deps: { clock: Clock; allowPrivateOutbound: boolean; timeoutMs?: number }, settings: EmailSettings, secrets: EmailSecrets): EmailProvider {
  const { esp, credentials } = espConfig('mailgun', settings, secrets);
  const transport = espTransport(deps);
  const url = endpoint(mailgunBaseUrl(esp), `/v3/${encodeURIComponent(esp.domain)}/messages.mime`);
  const auth = `Basic ${Buffer.from(`api:${credentials.apiKey ?? ''}`).toString('base64')}`;
  return {
    name: 'mailgun',
    async send(message: OutgoingEmail): Promise<ProviderResult> {
      const checked = checkedRecipient(message);
      if ('refused' in checked) return checked.refused;
      // The composed message is 7-bit (nodemailer encodes non-ASCII parts), so it travels as text.
      const raw = (await rawMessage(message, settings, secrets)).toString('latin1');
      const form = multipart(
        [
          ['to', checked.to],
          [`v:${RECORD_ID_FIELD}`, message.recordId],
          ['o:tracking', 'no'],
        ],
        { name: 'message', filename: 'message.mime', content: raw },
      );
      const answer = await transport.request(url, 'POST', { 'content-type': form.contentType, authorization: auth, accept: 'application/json' }, form.body);
      if (answer.kind !== 'answer') return failureResult('mailgun', answer);
      const json = jsonOf(answer);
      if (answer.status === 200 && typeof json?.id === 'string') return { status: 'sent', providerMessageId: json.id };
      const detail = String(json?.message ?? answer.body).slice(0, 300);
      if (answer.status === 404) return { status: 'retryable', reason: `mailgun HTTP 404: ${detail} (check the domain and region)` };
      return statusResult('mailgun', answer, detail, deps.clock.now());
    },
    async close() {
      transport.close();
    },
  };
}
