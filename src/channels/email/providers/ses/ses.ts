/**
 * @module The `ses` provider: Amazon SES API v2 `SendEmail` with raw content
 * (`POST /v2/email/outbound-emails`, `Content.Raw.Data` base64: the same MIME SMTP would send,
 * DKIM-signed with the workspace key when it has one), signed with AWS Signature Version 4 (aws4).
 * Our record id travels as the email tag `qatra_message_id`, which SES returns in every event
 * (`mail.tags`); the answer's `MessageId` is the provider message id.
 *
 * Errors (the `x-amzn-ErrorType` header or the body's `__type`/`code`): MessageRejected,
 * BadRequestException, NotFoundException → permanent; account or identity problems the operator
 * fixes (AccountSuspendedException, SendingPausedException, MailFromDomainNotVerifiedException,
 * 403 signature/credentials) and throttling (TooManyRequestsException, LimitExceededException,
 * 429) and 5xx → retryable. SES does not refuse suppressed recipients at send time: it reports them
 * as bounces through SNS (./webhook.ts).
 */
import aws4 from 'aws4';
import type { Clock } from '../../../../core/clock.js';
import type { EmailProvider, OutgoingEmail, ProviderResult } from '../../provider.js';
import type { EmailSecrets, EmailSettings } from '../../settings.js';
import { endpoint, espTransport, failureResult, jsonOf, statusResult } from '../esp/http.js';
import { RECORD_ID_FIELD } from '../esp/kinds.js';
import { checkedRecipient, espConfig, mailboxText, rawMessage } from '../esp/message.js';

const RETRYABLE = new Set(['AccountSuspendedException', 'SendingPausedException', 'MailFromDomainNotVerifiedException', 'TooManyRequestsException', 'LimitExceededException']);

/** SigV4's request time (`20260105T120000Z`), from the injected clock. */
export const amzDate = (ms: number) => new Date(ms).toISOString().replace(/[:-]|\.\d{3}/g, '');

export function sesBaseUrl(region: string, baseUrl?: string): string {
  return baseUrl ?? `https://email.${region}.amazonaws.com`;
}

/** The AWS error type of an answer (`MessageRejected:http://…` → `MessageRejected`). */
export function awsErrorType(headers: Record<string, unknown>, body: Record<string, unknown> | null): string {
  const header = headers['x-amzn-errortype'];
  const raw = (typeof header === 'string' ? header : undefined) ?? (body?.__type as string | undefined) ?? (body?.code as string | undefined) ?? '';
  return String(raw).split(':')[0]!.split('#').pop()!;
}

export function createSesProvider(deps: { clock: Clock; allowPrivateOutbound: boolean; timeoutMs?: number }, settings: EmailSettings, secrets: EmailSecrets): EmailProvider {
  const { esp, credentials } = espConfig('ses', settings, secrets);
  const transport = espTransport(deps);
  const url = endpoint(sesBaseUrl(esp.region, esp.baseUrl), '/v2/email/outbound-emails');
  return {
    name: 'ses',
    async send(message: OutgoingEmail): Promise<ProviderResult> {
      const checked = checkedRecipient(message);
      if ('refused' in checked) return checked.refused;
      const raw = await rawMessage(message, settings, secrets);
      const body = JSON.stringify({
        FromEmailAddress: mailboxText(message.from),
        Destination: { ToAddresses: [checked.to] },
        Content: { Raw: { Data: raw.toString('base64') } },
        EmailTags: [{ Name: RECORD_ID_FIELD, Value: message.recordId }],
        ...(esp.configurationSet ? { ConfigurationSetName: esp.configurationSet } : {}),
      });
      const signed = aws4.sign(
        { host: url.host, path: url.pathname, method: 'POST', service: 'ses', region: esp.region, headers: { 'Content-Type': 'application/json', 'X-Amz-Date': amzDate(deps.clock.now()) }, body },
        { accessKeyId: esp.accessKeyId, secretAccessKey: credentials.secretAccessKey ?? '' },
      );
      const headers = signed.headers as Record<string, string>;
      const answer = await transport.request(url, 'POST', { 'content-type': 'application/json', host: url.host, 'x-amz-date': headers['X-Amz-Date']!, authorization: headers.Authorization! }, body);
      if (answer.kind !== 'answer') return failureResult('ses', answer);
      const json = jsonOf(answer);
      if (answer.status === 200 && typeof json?.MessageId === 'string') return { status: 'sent', providerMessageId: json.MessageId };
      const type = awsErrorType(answer.headers, json);
      const detail = `${type || 'error'}: ${String(json?.message ?? json?.Message ?? answer.body).slice(0, 300)}`;
      if (RETRYABLE.has(type)) return { status: 'retryable', reason: `ses HTTP ${answer.status}: ${detail}` };
      return statusResult('ses', answer, detail, deps.clock.now());
    },
    async close() {
      transport.close();
    },
  };
}
