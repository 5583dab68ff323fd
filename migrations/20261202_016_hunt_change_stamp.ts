import type { Knex } from 'knex';

// Every version of a hunt row carries the id of the transaction that wrote it (`change_xid`, the
// top-level xid8, stamped by trigger), so that the matcher can read the hunts changed since its last
// look in commit order rather than in clock order: src/sql/hunts/loadHuntsChangedSince.ts asks for the rows
// whose writer had not finished when the previous read's snapshot was taken, which reads each row
// version once, however long its transaction took to commit (the updated_at watermark it replaces had
// to re-read the last seconds of changes before every batch of ads, and still missed a transaction
// slower than its margin).
//
// The scan bookkeeping (last_scan_at, last_tick_id, written by every backfill and tick) is not a
// change of the hunt: such an update keeps the row's stamp, so that backfilling 2,000 new hunts does
// not make the matcher read them all a second time. Existing rows get the migration's own xid.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE hunts ADD COLUMN change_xid xid8 NOT NULL DEFAULT pg_current_xact_id();

    CREATE FUNCTION hunts_stamp_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE'
         AND to_jsonb(NEW) - 'last_scan_at' - 'last_tick_id' - 'change_xid' = to_jsonb(OLD) - 'last_scan_at' - 'last_tick_id' - 'change_xid' THEN
        NEW.change_xid := OLD.change_xid;
      ELSE
        -- The top-level transaction's id, also from inside a savepoint: what a snapshot lists.
        NEW.change_xid := pg_current_xact_id();
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER hunts_stamp_change BEFORE INSERT OR UPDATE ON hunts FOR EACH ROW EXECUTE FUNCTION hunts_stamp_change();

    CREATE INDEX hunts_change_xid_idx ON hunts (change_xid);
    -- Its one reader was the updated_at watermark.
    DROP INDEX hunts_updated_at_idx;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE INDEX hunts_updated_at_idx ON hunts (updated_at);
    DROP TRIGGER hunts_stamp_change ON hunts;
    DROP FUNCTION hunts_stamp_change();
    ALTER TABLE hunts DROP COLUMN change_xid;
  `);
}
