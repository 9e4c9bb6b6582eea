/**
 * Fails the whole run when QATRA_REQUIRE_POSTGRES=1 and PostgreSQL cannot be reached, so CI can
 * never pass with the PostgreSQL half of the suite silently skipped. Then builds the template
 * databases every test file's database is copied from (test/templates.ts), and hands them to the
 * test workers through the environment.
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { TEST_SECRET_KEY } from './secret-key.js';
import { PG_TEMPLATE_ENV, SQLITE_TEMPLATE_ENV, buildPostgresTemplate, buildSqliteTemplate } from './templates.js';

export default async function setup(): Promise<() => void> {
  // For children started with the test process's environment: PostgreSQL needs the secret key.
  process.env.QATRA_SECRET_KEY ||= TEST_SECRET_KEY.toString('base64');
  const sqliteTemplate = await buildSqliteTemplate();
  process.env[SQLITE_TEMPLATE_ENV] = sqliteTemplate;
  const teardown = () => fs.rmSync(path.dirname(sqliteTemplate), { recursive: true, force: true });
  const url = process.env.QATRA_TEST_DATABASE_URL;
  const required = process.env.QATRA_REQUIRE_POSTGRES === '1';
  if (!url) {
    if (required) throw new Error('QATRA_REQUIRE_POSTGRES=1 but QATRA_TEST_DATABASE_URL is not set');
    console.warn('[qatra] QATRA_TEST_DATABASE_URL is not set: PostgreSQL tests are skipped');
    return teardown;
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    if (required) throw new Error(`QATRA_REQUIRE_POSTGRES=1 but PostgreSQL is unreachable: ${(err as Error).message}`);
    console.warn(`[qatra] PostgreSQL unreachable (${(err as Error).message}): PostgreSQL tests are skipped`);
    process.env.QATRA_TEST_DATABASE_URL = '';
    return teardown;
  } finally {
    await client.end().catch(() => {});
  }
  process.env[PG_TEMPLATE_ENV] = await buildPostgresTemplate(url);
  return teardown;
}
