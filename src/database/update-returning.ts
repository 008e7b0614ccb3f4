import type { ObjectLiteral, Repository, UpdateQueryBuilder } from 'typeorm';

/**
 * Runs an UPDATE and answers the rows it changed, as entities, in the same statement (RETURNING,
 * which both databases have): a claim that needs the row it claimed costs one round trip, not a
 * read and a write.
 */
export async function updateReturning<T extends ObjectLiteral>(repository: Repository<T>, update: UpdateQueryBuilder<T>): Promise<T[]> {
  const [sql, parameters] = update.getQueryAndParameters();
  const runner = repository.manager.connection.createQueryRunner();
  try {
    const result = await runner.query(`${sql} RETURNING *`, parameters, true);
    return (result.records as Record<string, unknown>[]).map((record) => hydrate(repository, record));
  } finally {
    await runner.release();
  }
}

/** A row as the database gave it, as the entity TypeORM would have read (JSON parsed, dates as Date). */
function hydrate<T extends ObjectLiteral>(repository: Repository<T>, record: Record<string, unknown>): T {
  const entity = repository.create();
  const driver = repository.manager.connection.driver;
  for (const column of repository.metadata.columns) {
    if (column.databaseName in record) column.setEntityValue(entity, driver.prepareHydratedValue(record[column.databaseName], column));
  }
  return entity;
}
