/**
 * The app's only way to the server: the public HTTP API under /api, with the session cookie the
 * browser keeps and the session's CSRF token in X-CSRF-Token on every state-changing request.
 */

export interface Issue {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: Issue[] = [],
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
let onSignedOut: () => void = () => {};

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when the server answers 401 to a signed-in request (signed out elsewhere, expired). */
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  return send<T>(method, path, body === undefined ? undefined : JSON.stringify(body), body === undefined ? undefined : 'application/json');
}

/** Sends a file as the request body; the browser streams it from disk, never reading it whole. */
export const sendFile = <T>(method: string, path: string, file: Blob, type: string) => send<T>(method, path, file, type);

async function send<T>(method: string, path: string, body: BodyInit | undefined, bodyType: string | undefined): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (bodyType !== undefined) headers['content-type'] = bodyType;
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, { method, headers, credentials: 'same-origin', body });
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  const data: unknown = type.includes('json') ? await res.json() : await res.text();
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string; issues?: Issue[] } })?.error;
    if (res.status === 401 && csrfToken && !path.startsWith('/api/auth/login')) onSignedOut();
    throw new ApiError(res.status, err?.code ?? 'http_' + res.status, err?.message ?? String(data), err?.issues ?? []);
  }
  return data as T;
}

/** POSTs JSON and answers the response body as a Blob (a PDF preview); errors as api() does. */
export async function postForBlob(path: string, body: unknown): Promise<Blob> {
  const headers: Record<string, string> = { accept: 'application/pdf, application/json', 'content-type': 'application/json' };
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, { method: 'POST', headers, credentials: 'same-origin', body: JSON.stringify(body) });
  if (!res.ok) {
    const data = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string; issues?: Issue[] } };
    throw new ApiError(res.status, data.error?.code ?? 'http_' + res.status, data.error?.message ?? res.statusText, data.error?.issues ?? []);
  }
  return res.blob();
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});
export const put = <T>(path: string, body: unknown) => api<T>('PUT', path, body);
export const patch = <T>(path: string, body: unknown) => api<T>('PATCH', path, body);
export const del = <T>(path: string) => api<T>('DELETE', path);

export type Role = 'owner' | 'admin' | 'editor' | 'viewer';

export interface Session {
  user: { id: string; email: string; name: string };
  workspace: { id: string; name: string; archivedAt?: number | null };
  role: Role;
  csrfToken: string;
}

export const canEdit = (role: Role) => role !== 'viewer';
export const canAdmin = (role: Role) => role === 'owner' || role === 'admin';
