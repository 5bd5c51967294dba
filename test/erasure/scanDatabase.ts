import type { Queryable } from '../../src/store/queryable';

export interface Hit {
  table: string;
  column: string;
  term: string;
  rows: number;
}

/**
 * Every column of every table in the public schema (information_schema, so tables added later are
 * scanned too), cast to text, searched for each term as a whole word, case-insensitively.
 */
export async function scanDatabase(db: Queryable, terms: string[]): Promise<Hit[]> {
  const columns: { table_name: string; column_name: string }[] = await db.query(
    `SELECT c.table_name, c.column_name FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
      ORDER BY c.table_name, c.ordinal_position`,
  );
  const hits: Hit[] = [];
  for (const term of terms) {
    const re = `\\y${term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\y`;
    for (const c of columns) {
      const [{ n }] = await db.query(
        `SELECT count(*)::int AS n FROM "${c.table_name}" WHERE "${c.column_name}"::text ~* $1`,
        [re],
      );
      if (n > 0) hits.push({ table: c.table_name, column: c.column_name, term, rows: n });
    }
  }
  return hits;
}
