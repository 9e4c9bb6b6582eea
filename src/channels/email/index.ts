/**
 * @module The email channel as the channel registry (src/channels/registry.ts) builds it: from the
 * process's dependencies, using `config.publicUrl` for links and `config.email` (when the config
 * carries it) for the process-wide provider defaults.
 */
import type { ServiceDeps } from '../../core/deps.js';
import type { SealingDeps } from '../../secrets/secret-box.js';
import type { Config } from '../../config/config.js';
import type { Logger } from 'pino';
import { createEmailChannel, type EmailChannel } from './channel.js';
import { emailDefaultsOf } from './env.js';

export { createEmailChannel, type EmailChannel };

export function emailChannel(deps: ServiceDeps & SealingDeps & { config?: Config; log?: Logger }): EmailChannel {
  const config = deps.config;
  return createEmailChannel({
    store: deps.store,
    clock: deps.clock,
    secretBox: deps.secretBox,
    log: deps.log,
    publicUrl: config?.publicUrl ?? 'http://localhost:8080',
    defaults: emailDefaultsOf(config ?? {}),
    attemptLeaseMs: config?.worker.sendLeaseMs,
    allowPrivateOutbound: config?.allowPrivateOutbound,
  });
}
