/**
 * @module The generic HTTP SMS provider: what the channel registry and the settings API use.
 */
export { createHttpProvider, type HttpProviderOptions } from './provider.js';
export { httpProviderSettingsSchema, parseHttpProviderSettings, type HttpProviderSettingsInput } from './settings.js';
export { PLACEHOLDERS } from './template.js';
