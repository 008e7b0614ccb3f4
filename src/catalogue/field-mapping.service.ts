import { Injectable } from '@nestjs/common';
import { CatalogueService, SYSTEM_COLUMNS, type ColumnModel } from './catalogue.service.js';
import { RecordsService } from './records.service.js';

export type ParameterOutcome = 'mapped' | 'lookup-by-name' | 'fails' | 'unmapped' | 'system' | 'ignored';

export interface FieldMapping {
  object: { name: string; caption: string; inWebhookLookup: boolean };
  columns: ColumnModel[];
  parameters: Array<{ name: string; value: unknown; outcome: ParameterOutcome; column: string | null; problem: string | null }>;
  /** Required columns the payload gives no value for. */
  missingRequired: string[];
}

/** Parameters the default process reads but never maps to a column. */
const PROCESS_PARAMETERS = new Set(['EntityName']);

/**
 * How the default mapping would read a sample payload for one object: which parameters map to
 * which column, which match no column, and which values would fail conversion or name no
 * lookup record — with the same rules (and code) as the create-record step.
 */
@Injectable()
export class FieldMappingService {
  constructor(
    private readonly catalogue: CatalogueService,
    private readonly records: RecordsService,
  ) {}

  async preview(tenantId: string, objectName: string, payload: Record<string, unknown>): Promise<FieldMapping> {
    const object = await this.catalogue.getObject(tenantId, objectName);
    const columns = new Map(object.columns.map((column) => [column.name, column]));
    const parameters: FieldMapping['parameters'] = [];
    const candidates: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(payload)) {
      const lookup = columns.get(`${name}Id`);
      if (PROCESS_PARAMETERS.has(name)) parameters.push({ name, value, outcome: 'ignored', column: null, problem: null });
      else if (SYSTEM_COLUMNS.has(name)) parameters.push({ name, value, outcome: 'system', column: name, problem: 'set by the system, never by a webhook' });
      else if (columns.has(name)) {
        candidates[name] = value;
        parameters.push({ name, value, outcome: 'mapped', column: name, problem: null });
      } else if (lookup?.lookup) {
        candidates[name] = value;
        parameters.push({ name, value, outcome: 'lookup-by-name', column: lookup.name, problem: null });
      } else parameters.push({ name, value, outcome: 'unmapped', column: null, problem: null });
    }
    const prepared = await this.records.prepare(tenantId, object, candidates);
    const missingRequired: string[] = [];
    if (!prepared.ok) {
      for (const problem of prepared.problems) {
        const separator = problem.indexOf(': ');
        const name = problem.slice(0, separator);
        const parameter = parameters.find((entry) => entry.name === name && entry.outcome !== 'unmapped');
        if (parameter) Object.assign(parameter, { outcome: 'fails', problem: problem.slice(separator + 2) });
        else if (columns.get(name)?.required && problem.includes('has no value')) missingRequired.push(name);
        else {
          // A lookup column given by Id whose record is missing reports under the column name.
          const byColumn = parameters.find((entry) => entry.column === name);
          if (byColumn) Object.assign(byColumn, { outcome: 'fails', problem: problem.slice(separator + 2) });
        }
      }
    }
    return {
      object: { name: object.name, caption: object.caption, inWebhookLookup: object.inWebhookLookup },
      columns: object.columns,
      parameters,
      missingRequired,
    };
  }
}
