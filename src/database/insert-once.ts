import type { ObjectLiteral, QueryDeepPartialEntity, Repository } from 'typeorm';

/**
 * INSERT … ON CONFLICT DO NOTHING (OR IGNORE on SQLite); answers whether the row was written.
 * Both drivers report the rows a statement changed, so no read is needed to tell an insert
 * from a repeat.
 */
export async function insertOnce<T extends ObjectLiteral>(repository: Repository<T>, row: T): Promise<boolean> {
  const result = await insertIgnoring(repository, [row], '');
  return (result.affected ?? 0) > 0;
}

/**
 * The same for several rows in one statement; answers, row by row, whether it was written.
 * The rows written are told by their key, which RETURNING gives back on both databases.
 */
export async function insertEachOnce<T extends ObjectLiteral>(repository: Repository<T>, rows: T[], key: keyof T & string): Promise<boolean[]> {
  const column = repository.metadata.findColumnWithPropertyName(key)!.databaseName;
  const result = await insertIgnoring(repository, rows, ` RETURNING "${column}"`);
  const written = new Set((result.records as Record<string, unknown>[]).map((record) => record[column]));
  return rows.map((row) => written.has(row[key]));
}

async function insertIgnoring<T extends ObjectLiteral>(repository: Repository<T>, rows: T[], suffix: string) {
  const [sql, parameters] = repository
    .createQueryBuilder()
    .insert()
    .into(repository.target)
    .values(rows as QueryDeepPartialEntity<T>[])
    .orIgnore()
    .getQueryAndParameters();
  const runner = repository.manager.connection.createQueryRunner();
  try {
    return await runner.query(sql + suffix, parameters, true);
  } finally {
    await runner.release();
  }
}
