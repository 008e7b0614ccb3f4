/** Output of the command line: JSON with --json, otherwise plain text for people. */

export function printObject(value: object, json = false): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    process.stdout.write(`${key}: ${typeof item === 'object' && item !== null ? JSON.stringify(item) : String(item)}\n`);
  }
}

export function printList(rows: object[], json = false, columns?: string[]): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  const keys = columns ?? [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cells = rows.map((row) => keys.map((key) => cell((row as Record<string, unknown>)[key])));
  const widths = keys.map((key, i) => Math.min(60, Math.max(key.length, ...cells.map((line) => line[i].length))));
  const format = (line: string[]) => line.map((text, i) => text.slice(0, 60).padEnd(widths[i])).join('  ').trimEnd();
  process.stdout.write(`${format(keys)}\n${cells.map(format).join('\n')}\n`);
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** A dry run for people: one line per step, then what would be written. */
export function printDryRun(result: {
  processId: string;
  version: number;
  status: string;
  error: { message: string } | null;
  trace: Array<{ step: string; type: string; status: string; output?: unknown; error?: string }>;
  records: Array<{ action: string; object: string; recordId: string | null; values: Record<string, unknown> }>;
}): void {
  const lines = [`${result.processId} v${result.version}: ${result.status}${result.error ? ` — ${result.error.message}` : ''}`];
  for (const entry of result.trace) {
    const detail = entry.status === 'ok' ? cell(entry.output) : `FAILED: ${entry.error}`;
    lines.push(`  ${entry.step.padEnd(16)} ${entry.type.padEnd(16)} ${detail.slice(0, 200)}`);
  }
  lines.push(result.records.length === 0 ? 'Would write no record.' : 'Would write:');
  for (const record of result.records) {
    lines.push(`  ${record.action} ${record.object}${record.recordId ? ` ${record.recordId}` : ''}: ${JSON.stringify(record.values)}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
