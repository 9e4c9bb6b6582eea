/**
 * @module Row type of the migrations table (src/store/migrate.ts), for Kysely.
 */

export interface MigrationsTable {
  id: number;
  name: string;
  applied_at: number;
}
