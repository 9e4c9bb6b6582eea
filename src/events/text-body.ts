/**
 * @module `text/plain` request bodies on /v1, parsed as JSON. analytics.js up to 1.83 posts its calls
 * as `text/plain` (a "simple" request: no CORS preflight), and `navigator.sendBeacon` with a string
 * does too. The JSON inside goes through the same bounded parser as `application/json` bodies
 * (src/api/json-body.ts: nesting, array length, lone surrogates).
 *
 * The body is read here rather than by Fastify so that one over the route's limit is a 413 with a
 * small body (BodyTooLargeError), refused from its Content-Length before a byte is read, or as soon
 * as a chunked body passes the limit. A browser cannot split a beacon, so 413 says "too big, do not
 * retry" more plainly than the 400 Segment documents for its JSON API (which `application/json`
 * bodies keep).
 */
import type { FastifyBodyParser, FastifyInstance, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { BodyTooLargeError } from '../core/errors.js';

type Done = (err: Error | null, body?: unknown) => void;

/**
 * Installs the `text/plain` parser in `scope` (the ingestion routes' own Fastify context); the text
 * goes to `parseJson`, the app's bounded JSON parser, which the HTTP layer passes in.
 */
export function installTextBody(scope: FastifyInstance, fallbackLimitBytes: number, parseJson: FastifyBodyParser<string>): void {
  scope.removeContentTypeParser('text/plain');
  scope.addContentTypeParser('text/plain', (request: FastifyRequest, payload: IncomingMessage, done: Done) => {
    const limit = request.routeOptions.bodyLimit ?? fallbackLimitBytes;
    readLimited(payload, Number(request.headers['content-length']), limit, (err, text) => {
      if (err) return done(err);
      parseJson.call(scope, request, text!, done);
    });
  });
}

function readLimited(payload: IncomingMessage, contentLength: number, limit: number, done: (err: Error | null, text?: string) => void): void {
  if (contentLength > limit) {
    // Answer now; Node discards the unread rest of the body after the response.
    return done(new BodyTooLargeError(limit));
  }
  const chunks: Buffer[] = [];
  let received = 0;
  const onData = (chunk: Buffer | string) => {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    received += buffer.length;
    if (received > limit) {
      cleanup();
      return done(new BodyTooLargeError(limit));
    }
    chunks.push(buffer);
  };
  const onEnd = (err?: Error) => {
    cleanup();
    if (err) return done(Object.assign(err, { statusCode: 400 }));
    done(null, Buffer.concat(chunks, received).toString('utf8'));
  };
  const cleanup = () => {
    payload.removeListener('data', onData);
    payload.removeListener('end', onEnd);
    payload.removeListener('error', onEnd);
  };
  payload.on('data', onData);
  payload.on('end', onEnd);
  payload.on('error', onEnd);
  payload.resume();
}
