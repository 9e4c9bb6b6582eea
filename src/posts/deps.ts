/**
 * @module What the posts services and the publishing task take: the services' deps, the SecretBox,
 * the config they read, and where Telegram's Bot API is (tests point it at a local fake).
 */
import type { ServiceDeps } from '../core/deps.js';
import type { SealingDeps } from '../secrets/secret-box.js';
import type { Config } from '../config/config.js';

export interface PostsDeps extends ServiceDeps, SealingDeps {
  config: Pick<Config, 'allowPrivateOutbound' | 'dataDir' | 'publicUrl'>;
  /** Default https://api.telegram.org. */
  telegramApiRoot?: string | undefined;
}
