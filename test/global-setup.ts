/**
 * Fails the whole run when QATRA_REQUIRE_POSTGRES=1 and PostgreSQL cannot be reached, so CI can
 * never pass with the PostgreSQL half of the suite silently skipped.
 */
import pg from 'pg';

export default async function setup(): Promise<void> {
  const url = process.env.QATRA_TEST_DATABASE_URL;
  const required = process.env.QATRA_REQUIRE_POSTGRES === '1';
  if (!url) {
    if (required) throw new Error('QATRA_REQUIRE_POSTGRES=1 but QATRA_TEST_DATABASE_URL is not set');
    console.warn('[qatra] QATRA_TEST_DATABASE_URL is not set: PostgreSQL tests are skipped');
    return;
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    if (required) throw new Error(`QATRA_REQUIRE_POSTGRES=1 but PostgreSQL is unreachable: ${(err as Error).message}`);
    console.warn(`[qatra] PostgreSQL unreachable (${(err as Error).message}): PostgreSQL tests are skipped`);
    process.env.QATRA_TEST_DATABASE_URL = '';
  } finally {
    await client.end().catch(() => {});
  }
}
