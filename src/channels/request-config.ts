/**
 * @module Reading a send request's channel settings (`config`, from a message node or a broadcast):
 * JSON values of any shape, so every read checks the type.
 */
import type { SendRequest } from './channel.js';

/** `v` when it is a non-empty string, else undefined. */
export const nonEmptyString = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The template a request names (`config.template`, or the older `config.templateId`). */
export const templateOf = (request: SendRequest): string | undefined => nonEmptyString(request.config.template) ?? nonEmptyString(request.config.templateId);
