import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/database';

describe('test database harness', () => {
  const db = useTestDatabase();

  it('gives each test file an empty database of its own', async () => {
    const { rows } = await db.current.pool.query<{ datname: string }>('SELECT current_database() AS datname');
    expect(rows[0].datname).toBe(db.current.name);
    const tables = await db.current.pool.query(
      "SELECT 1 FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')",
    );
    expect(tables.rowCount).toBe(0);
  });
});
