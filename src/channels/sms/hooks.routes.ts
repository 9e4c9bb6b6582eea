/**
 * @module The SMS providers' callbacks, public and signed (docs/sms.md): Twilio's StatusCallback
 * and inbound webhook at `/hooks/sms/twilio/:providerId/{status,inbound}` (./providers/twilio/
 * routes.ts checks `X-Twilio-Signature` against the provider's auth token: 403 and nothing changed
 * otherwise). Receipts go to ./receipts.ts; replies to ./inbound.ts, whose answers (STOP, START,
 * HELP confirmations) leave through an SMS channel built here.
 */
import type { RouteModule } from '../../api/deps.js';
import { channelProviderSecrets } from '../providers/providers.js';
import { createSmsChannel, replyThrough, type SmsChannel } from './index.js';
import { handleInbound } from './inbound.js';
import { twilioHookRoutes } from './providers/twilio/index.js';
import { applyReceipt } from './receipts.js';

export const smsHookRoutes: RouteModule = (app, deps) => {
  let channel: SmsChannel | null = null;
  const reply = replyThrough(deps.store.db, () => (channel ??= createSmsChannel(deps)));
  app.addHook('onClose', async () => channel?.close());
  void app.register(
    twilioHookRoutes({
      publicUrl: deps.config.publicUrl,
      async resolve(providerId) {
        const found = await channelProviderSecrets(deps.store.db, deps.secretBox, providerId, { channel: 'sms', kind: 'twilio' });
        return found && typeof found.secrets.authToken === 'string' ? { workspaceId: found.workspaceId, authToken: found.secrets.authToken } : null;
      },
      onReceipt: async (workspaceId, _providerId, receipt) => void (await applyReceipt(deps, { workspaceId, provider: 'twilio', receipt })),
      onInbound: async (workspaceId, _providerId, inbound) => void (await handleInbound({ ...deps, reply }, { workspaceId, provider: 'twilio', inbound })),
    }),
  );
};
