import type { ObjectLiteral, QueryDeepPartialEntity, Repository } from 'typeorm';

/**
 * INSERT … ON CONFLICT DO NOTHING (OR IGNORE on SQLite); answers whether the row was written.
 * Both drivers report the rows a statement changed, so no read is needed to tell an insert
 * from a repeat.
 */
export async function insertOnce<T extends ObjectLiteral>(repository: Repository<T>, row: T): Promise<boolean> {
  const [sql, parameters] = repository
    .createQueryBuilder()
    .insert()
    .into(repository.target)
    .values(row as QueryDeepPartialEntity<T>)
    .orIgnore()
    .getQueryAndParameters();
  const runner = repository.manager.connection.createQueryRunner();
  try {
    const result = await runner.query(sql, parameters, true);
    return (result.affected ?? 0) > 0;
  } finally {
    await runner.release();
  }
}
