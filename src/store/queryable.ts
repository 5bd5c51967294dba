/** Anything that runs SQL: a TypeORM DataSource, EntityManager or QueryRunner. */
export interface Queryable {
  // biome-ignore lint/suspicious/noExplicitAny: pg returns untyped rows; each store module maps them into its own types
  query(sql: string, params?: unknown[]): Promise<any>;
}

/** A row as pg returns it, before a store module maps it into a typed value. */
// biome-ignore lint/suspicious/noExplicitAny: see Queryable
export type Row = Record<string, any>;
