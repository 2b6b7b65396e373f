/**
 * Versioned migrations of Tandem's own schema `tandem`, applied at worker start. Each file in
 * ./migrations named `NNNN_description.sql` runs once, in order, inside a transaction, and is recorded
 * in `tandem.schema_migrations`. An advisory lock makes concurrent workers apply them one at a time.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

/** Thrown when a migration file is misnamed or fails; the message names the file. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/** One migration file. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;
// Arbitrary constant key for pg_advisory_xact_lock: "tandem" in ASCII.
const LOCK_KEY = 0x74616e64656d;

/** Reads the migration files from `dir`, sorted by version; throws MigrationError on a misnamed or duplicate file. */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const migrations: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.sql')) continue;
    const match = FILE_NAME.exec(file);
    if (!match) throw new MigrationError(`Migration file ${file} must be named NNNN_description.sql`);
    const version = Number(match[1]);
    if (migrations.some((m) => m.version === version))
      throw new MigrationError(`Two migrations have version ${version} (${file})`);
    migrations.push({ version, name: match[2]!, sql: readFileSync(`${dir}/${file}`, 'utf8') });
  }
  return migrations;
}

/** Applies every pending migration; idempotent. Returns the versions applied by this call. */
export async function migrate(pool: pg.Pool, migrations: Migration[] = loadMigrations()): Promise<number[]> {
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await client.query('CREATE SCHEMA IF NOT EXISTS tandem');
    await client.query(
      `CREATE TABLE IF NOT EXISTS tandem.schema_migrations (
         version integer PRIMARY KEY,
         name text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query<{ version: number }>('SELECT version FROM tandem.schema_migrations');
    const done = new Set(rows.map((r) => r.version));
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      await client.query(`SAVEPOINT m${migration.version}`);
      try {
        await client.query(migration.sql);
      } catch (error) {
        throw new MigrationError(
          `Migration ${migration.version}_${migration.name} failed: ${(error as Error).message}`,
        );
      }
      await client.query('INSERT INTO tandem.schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
