/** Anything that runs SQL: a TypeORM DataSource, EntityManager or QueryRunner. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<any>;
}
