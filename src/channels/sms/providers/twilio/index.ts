/**
 * @module The Twilio-compatible SMS provider: what the channel registry and the HTTP app use.
 */
export { createTwilioProvider, TWILIO_BASE_URL, type TwilioProviderOptions } from './provider.js';
export { parseTwilioInbound, parseTwilioStatus } from './receipts.js';
export { twilioSignature, validTwilioSignature } from './signature.js';
export { twilioHookRoutes, TWILIO_HOOK_BODY_LIMIT, type TwilioHookDeps } from './routes.js';
export { SEND_ERROR_CODES, DELIVERY_ERROR_CODES } from './codes.js';
