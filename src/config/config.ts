/**
 * @module Configuration, parsed once from the environment into a typed, frozen object.
 * Defaults live in `defaults()`; nothing writes back to process.env.
 */
import path from 'node:path';
import { ValidationError } from '../core/errors.js';
import { parseEmailEnv } from '../channels/email/env.js';
import type { ResolvedEmailSettings } from '../channels/email/settings.js';
import { parseSecretKey } from '../secrets/key.js';

export interface Config {
  readonly port: number;
  readonly host: string;
  /** Directory of the embedded SQLite database (and other local state). */
  readonly dataDir: string;
  /** `postgres://…` for PostgreSQL; undefined means SQLite in `dataDir`. */
  readonly databaseUrl: string | undefined;
  /** Public base URL used in links (tracking, unsubscribe); defaults to http://localhost:PORT. */
  readonly publicUrl: string;
  readonly logLevel: string;
  readonly pgPoolMax: number;
  readonly worker: {
    readonly pollIntervalMs: number;
    readonly batchSize: number;
    readonly leaseMs: number;
    readonly shutdownTimeoutMs: number;
    /**
     * How long one attempt of a message holds it (QATRA_SEND_LEASE_MS, default 5 min): a crashed
     * sender's message is retried after this. Longer than any provider call may take.
     */
    readonly sendLeaseMs?: number;
    /** First retry backoff of a journey send (QATRA_RETRY_BASE_MS, default 30 s; doubled per attempt). */
    readonly retryBaseMs?: number;
  };
  /** Port of a `qatra worker` process's /metrics and /healthz (QATRA_WORKER_METRICS_PORT); unset: none. */
  readonly workerMetricsPort?: number | undefined;
  /** Bearer token `/metrics` requires (QATRA_METRICS_TOKEN); unset: open. */
  readonly metricsToken?: string | undefined;
  /** Port of `qatra start`'s /metrics (QATRA_METRICS_PORT); then the API port serves none. Unset: the API port. */
  readonly metricsPort?: number | undefined;
  /** Port of the bounce mailbox SMTP listener (QATRA_BOUNCE_SMTP_PORT); unset: not started. */
  readonly bounceSmtpPort?: number | undefined;
  /** Consecutive soft bounces that suppress an address (QATRA_SOFT_BOUNCE_LIMIT, default 3). */
  readonly softBounceLimit?: number;
  /**
   * Outbound connections a workspace configures (SMTP host, webhook-like provider URLs) may reach
   * loopback, private and link-local addresses (QATRA_ALLOW_PRIVATE_OUTBOUND=1; default off: the
   * address guard of src/channels/address-guard.ts refuses them). QATRA_SMTP_URL is exempt: the
   * operator set it.
   */
  readonly allowPrivateOutbound?: boolean;
  /**
   * Which proxies in front may set X-Forwarded-For (QATRA_TRUST_PROXY): unset, none (the socket's
   * address is the client's); `1`, `2`… that many hops; or a comma list of proxy addresses or CIDRs.
   * Sign-in and form limits count by client IP, so behind a proxy this must be set, else every
   * client shares the proxy's address (and its limits).
   */
  readonly trustProxy?: number | string[] | undefined;
  /**
   * The key sealing provider secrets at rest (QATRA_SECRET_KEY: 32 bytes as base64 or 64 hex
   * characters). Unset: `<dataDir>/secret.key` on SQLite, refused on PostgreSQL (src/secrets/key.ts).
   */
  readonly secretKey?: Buffer | undefined;
  /** The key before a rotation (QATRA_SECRET_KEY_PREVIOUS): opens what it sealed; start-up re-seals that under secretKey. */
  readonly secretKeyPrevious?: Buffer | undefined;
  /** Email defaults for workspaces without stored settings (QATRA_SMTP_URL, QATRA_EMAIL_FROM); outbox when unset. */
  readonly email?: ResolvedEmailSettings;
  /** Bot traffic (src/events/bots.ts): QATRA_BOTS_ALLOW_HEADLESS=1 counts HeadlessChrome as a visitor. */
  readonly bots?: { readonly allowHeadless: boolean };
  /**
   * Backpressure of ingestion (src/events/ingest.ts, docs/ingestion.md): at most this many calls wait
   * for the store in one server process (QATRA_INGEST_MAX_QUEUED, default 50,000), and at most
   * `maxQueuedPerWorkspace` of them from one workspace (QATRA_INGEST_MAX_QUEUED_PER_WORKSPACE,
   * default 20,000); past either, a request is answered 429 with Retry-After and stores nothing.
   */
  readonly ingest?: {
    readonly maxQueued: number;
    readonly maxQueuedPerWorkspace: number;
    /**
     * Calls per second one workspace may send to /v1 in one server process, for workspaces that set
     * no rate of their own (QATRA_INGEST_RATE_PER_WORKSPACE; 0 or unset: unlimited; src/events/rate-limit.ts).
     */
    readonly ratePerWorkspace?: number;
  };
  /**
   * Data lifecycle (src/retention/, docs/retention.md): months of raw events a workspace without its
   * own setting keeps (QATRA_RETENTION_EVENTS_MONTHS, an integer >= 1); unset keeps them forever.
   */
  readonly retention?: { readonly eventsMonths: number | undefined };
  /** DNS servers the sending-domain check asks (QATRA_DNS_SERVERS, a comma list of `ip` or `ip:port`); unset: the system's. */
  readonly dnsServers?: readonly string[] | undefined;
}

export const INGEST_QUEUE_DEFAULTS = { maxQueued: 50_000, maxQueuedPerWorkspace: 20_000 } as const;

export function defaults(): Config {
  return {
    port: 8080,
    host: '0.0.0.0',
    dataDir: path.resolve('qatra-data'),
    databaseUrl: undefined,
    publicUrl: 'http://localhost:8080',
    logLevel: 'info',
    pgPoolMax: 10,
    worker: { pollIntervalMs: 500, batchSize: 100, leaseMs: 60_000, shutdownTimeoutMs: 10_000 },
  };
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw ValidationError.at(name, `must be an integer >= ${min}, got "${raw}"`);
  return n;
}

function trustProxy(env: NodeJS.ProcessEnv): number | string[] | undefined {
  const raw = (env.QATRA_TRUST_PROXY ?? '').trim();
  if (raw === '') return undefined;
  if (/^\d+$/.test(raw)) return Number(raw);
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.some((a) => !/^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(a))) {
    throw ValidationError.at('QATRA_TRUST_PROXY', `must be a hop count or a comma list of proxy addresses or CIDRs, got "${raw}"`);
  }
  return list;
}

function bool(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw ValidationError.at(name, `must be 1 or 0, got "${env[name]}"`);
}

export function parseConfig(env: NodeJS.ProcessEnv, overrides: Partial<Config> = {}): Config {
  const d = defaults();
  const port = int(env, 'PORT', d.port);
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw ValidationError.at('DATABASE_URL', 'must be a postgres:// URL (leave it unset for the embedded SQLite store)');
  }
  const config: Config = {
    port,
    host: env.HOST || d.host,
    dataDir: env.QATRA_DATA_DIR ? path.resolve(env.QATRA_DATA_DIR) : d.dataDir,
    databaseUrl,
    publicUrl: (env.QATRA_PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, ''),
    logLevel: env.LOG_LEVEL || d.logLevel,
    pgPoolMax: int(env, 'QATRA_PG_POOL_MAX', d.pgPoolMax, 1),
    worker: {
      pollIntervalMs: int(env, 'QATRA_WORKER_POLL_MS', d.worker.pollIntervalMs, 1),
      batchSize: int(env, 'QATRA_WORKER_BATCH', d.worker.batchSize, 1),
      leaseMs: int(env, 'QATRA_WORKER_LEASE_MS', d.worker.leaseMs, 1000),
      shutdownTimeoutMs: int(env, 'QATRA_SHUTDOWN_TIMEOUT_MS', d.worker.shutdownTimeoutMs, 0),
      sendLeaseMs: int(env, 'QATRA_SEND_LEASE_MS', 300_000, 1000),
      retryBaseMs: int(env, 'QATRA_RETRY_BASE_MS', 30_000, 100),
    },
    workerMetricsPort: env.QATRA_WORKER_METRICS_PORT ? int(env, 'QATRA_WORKER_METRICS_PORT', 0) : undefined,
    metricsToken: env.QATRA_METRICS_TOKEN || undefined,
    metricsPort: env.QATRA_METRICS_PORT ? int(env, 'QATRA_METRICS_PORT', 0) : undefined,
    bounceSmtpPort: env.QATRA_BOUNCE_SMTP_PORT ? int(env, 'QATRA_BOUNCE_SMTP_PORT', 0, 1) : undefined,
    softBounceLimit: int(env, 'QATRA_SOFT_BOUNCE_LIMIT', 3, 1),
    allowPrivateOutbound: bool(env, 'QATRA_ALLOW_PRIVATE_OUTBOUND'),
    bots: { allowHeadless: bool(env, 'QATRA_BOTS_ALLOW_HEADLESS') },
    ingest: {
      maxQueued: int(env, 'QATRA_INGEST_MAX_QUEUED', INGEST_QUEUE_DEFAULTS.maxQueued, 1000),
      maxQueuedPerWorkspace: int(env, 'QATRA_INGEST_MAX_QUEUED_PER_WORKSPACE', INGEST_QUEUE_DEFAULTS.maxQueuedPerWorkspace, 1000),
      ratePerWorkspace: int(env, 'QATRA_INGEST_RATE_PER_WORKSPACE', 0, 0),
    },
    retention: { eventsMonths: env.QATRA_RETENTION_EVENTS_MONTHS ? int(env, 'QATRA_RETENTION_EVENTS_MONTHS', 0, 1) : undefined },
    trustProxy: trustProxy(env),
    dnsServers: env.QATRA_DNS_SERVERS
      ? env.QATRA_DNS_SERVERS.split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined,
    email: parseEmailEnv(env),
    secretKey: parseSecretKey('QATRA_SECRET_KEY', env.QATRA_SECRET_KEY),
    secretKeyPrevious: parseSecretKey('QATRA_SECRET_KEY_PREVIOUS', env.QATRA_SECRET_KEY_PREVIOUS),
    ...overrides,
  };
  return Object.freeze(config);
}
