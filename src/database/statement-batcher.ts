interface Pending<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/** Rows per statement: well below either database's limit on parameters. */
const MAX_BATCH = 100;

/**
 * Sends what concurrent jobs ask of the database at about the same time — rows to write, or keys
 * to read — in one statement, the way a database groups commits: while one statement is on its
 * way, the items that arrive wait and go together in the next. Alone, an item is sent at once
 * (after the current turn of the event loop). Each round trip to the database costs the worker
 * far more than building a longer statement, so under load this is what lets the worker keep up.
 *
 * Every item keeps its own outcome: when a statement of several items fails, each is sent again
 * on its own, so one bad row fails only its own job.
 */
export class StatementBatcher<T, R> {
  private pending: Pending<T, R>[] = [];
  private writing = false;
  private scheduled = false;

  constructor(
    private readonly writeMany: (items: T[]) => Promise<R[]>,
    private readonly writeOne: (item: T) => Promise<R>,
  ) {}

  send(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.writing || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending.splice(0, MAX_BATCH);
    if (batch.length === 0) return;
    this.writing = true;
    try {
      if (batch.length === 1) {
        await this.writeOne(batch[0].item).then(batch[0].resolve, batch[0].reject);
        return;
      }
      let results: R[];
      try {
        results = await this.writeMany(batch.map((pending) => pending.item));
      } catch {
        await Promise.all(batch.map((pending) => this.writeOne(pending.item).then(pending.resolve, pending.reject)));
        return;
      }
      batch.forEach((pending, i) => pending.resolve(results[i]));
    } finally {
      this.writing = false;
      if (this.pending.length > 0) this.schedule();
    }
  }
}
