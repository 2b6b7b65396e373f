import { describe, expect, it } from 'vitest';
import { ensurePersonView } from '../../src/db/person-view';
import type { ColumnSpec } from '../../src/sync/type-mapping';
import { useTestDatabase } from '../support/database';

const column = (name: string, sqlType: string): ColumnSpec =>
  ({ kind: 'text', field: name, column: name, sqlType }) as ColumnSpec;
const columns = [column('sfid', 'varchar(18)'), column('email', 'varchar(80)'), column('lastname', 'varchar(80)')];

describe('the person view', () => {
  const db = useTestDatabase();

  it('waits, without failing, until both lead and contact have their push columns (a database from an older Tandem)', async () => {
    const pool = db.current.pool;
    await pool.query(`CREATE SCHEMA salesforce`);
    // The contact table is already upgraded; the lead table is still as an older version created it.
    await pool.query(
      `CREATE TABLE salesforce.contact (id bigserial PRIMARY KEY, sfid varchar(18), email varchar(80), lastname varchar(80), isdeleted boolean, _tandem_linked_to varchar(18))`,
    );
    await pool.query(
      `CREATE TABLE salesforce.lead (id bigserial PRIMARY KEY, sfid varchar(18), email varchar(80), lastname varchar(80), isdeleted boolean, isconverted boolean)`,
    );
    expect(await ensurePersonView(pool, 'salesforce', columns, columns)).toBe(false);
    expect((await pool.query(`SELECT to_regclass('salesforce.person') AS v`)).rows[0].v).toBeNull();

    // The lead's own describe adds its push columns; then the view appears.
    await pool.query(`ALTER TABLE salesforce.lead ADD COLUMN _tandem_linked_to varchar(18)`);
    await pool.query(
      `INSERT INTO salesforce.lead (sfid, email, lastname) VALUES ('00Q000000000001AAA', 'a@x.test', 'Lead One')`,
    );
    await pool.query(
      `INSERT INTO salesforce.contact (sfid, email, lastname) VALUES ('003000000000001AAA', 'b@x.test', 'Contact One')`,
    );
    expect(await ensurePersonView(pool, 'salesforce', columns, columns)).toBe(true);
    const { rows } = await pool.query(`SELECT person_type, email FROM salesforce.person ORDER BY person_type`);
    expect(rows).toEqual([
      { person_type: 'Contact', email: 'b@x.test' },
      { person_type: 'Lead', email: 'a@x.test' },
    ]);
  });
});
