import { Injectable } from '@nestjs/common';
import { CatalogueService, SYSTEM_COLUMNS, type ObjectModel } from '../../catalogue/catalogue.service.js';
import { RecordsService } from '../../catalogue/records.service.js';
import { AppError, ErrorCode } from '../../common/app-error.js';
import { WebhookLogService, type WebhookDetail } from '../../webhooks/webhook-log.service.js';
import { DefinitionCompiler } from '../definition-compiler.js';
import type { ProcessDefinition } from '../definition-types.js';
import { Expression } from '../expression.js';
import { ProcessesService } from '../processes.service.js';
import { matchColumns, type LookupValues, type MatchReason, type ParameterMatch } from './column-matcher.js';
import { payloadParameters, type FormSource, type PayloadParameter } from './payload-parameters.js';

/** Parameters of one webhook considered at most; a form has dozens, a payload past this is no form. */
export const MAX_PROPOSAL_PARAMETERS = 500;
/** Distinct texts looked up among each lookup's records at most (one query each). */
const MAX_LOOKUP_VALUES = 100;

export interface ProposedParameter {
  path: string;
  label: string | null;
  expression: string;
  sample: unknown;
  column: string | null;
  /** The key the definition's create-record step writes it under: the column, or a lookup column without Id (by name). */
  writtenAs: string | null;
  reason: MatchReason | null;
  confidence: number;
  explanation: string;
}

export interface MappingProposal {
  object: string;
  objectChosen: 'given' | 'best-match';
  /** The form tool the payload's shape is from, when it is one the proposal knows. */
  source: FormSource;
  parameters: ProposedParameter[];
  unmatched: ProposedParameter[];
  /** Required columns of the object that no parameter matches: the record cannot be written without them. */
  missingRequired: string[];
  /** How many parameters the webhook has, and whether only the first MAX_PROPOSAL_PARAMETERS were considered. */
  parameterCount: number;
  truncated: boolean;
  /** A custom process that writes the matched parameters: POST it to /processes. */
  definition: ProcessDefinition;
}

/**
 * "Map this webhook": from a stored webhook that no process understood, a custom process that
 * writes its values to columns of an object, with each match explained. The definition is
 * checked by the compiler that checks a saved one, and each sample is its expression's value on
 * this webhook, so what the proposal shows is what the process will do.
 */
@Injectable()
export class MappingProposalService {
  constructor(
    private readonly webhooks: WebhookLogService,
    private readonly catalogue: CatalogueService,
    private readonly records: RecordsService,
    private readonly processes: ProcessesService,
    private readonly compiler: DefinitionCompiler,
  ) {}

  /**
   * `choices` (by parameter path, a column code or null for none) are the analyst's corrections:
   * they win over every proposal, and a column chosen for one parameter is no other's.
   */
  async propose(tenantId: string, webhookId: string, objectName?: string, choices: Record<string, string | null> = {}): Promise<MappingProposal> {
    const webhook = await this.webhooks.get(tenantId, webhookId);
    const objects = objectName === undefined ? await this.webhookObjects(tenantId) : [await this.writableObject(tenantId, objectName)];
    if (Object.keys(choices).length > 0 && objectName === undefined) {
      throw new AppError(ErrorCode.InvalidArgument, 'Columns are chosen for one object: give "object" with "columns"');
    }
    const chosen = new Map(Object.entries(choices));
    if (chosen.size > MAX_PROPOSAL_PARAMETERS) throw new AppError(ErrorCode.LimitExceeded, `At most ${MAX_PROPOSAL_PARAMETERS} columns can be chosen`);
    for (const [path, column] of chosen) {
      if (column !== null && typeof column !== 'string') throw new AppError(ErrorCode.InvalidArgument, `columns["${path}"]: a column code, or null for none`);
      if (column !== null && !objects[0].columns.some((candidate) => candidate.name === column && !SYSTEM_COLUMNS.has(candidate.name))) {
        throw new AppError(ErrorCode.InvalidArgument, `columns["${path}"]: ${objects[0].name} has no column "${column}" a webhook can write`);
      }
    }
    const payload = webhook.payload;
    if (typeof payload !== 'object' || payload === null || Object.keys(payload).length === 0) {
      throw new AppError(ErrorCode.Unmappable, `Webhook ${webhookId} has no parameters to map: its payload is empty`);
    }
    const { source, parameters, total } = payloadParameters(payload, MAX_PROPOSAL_PARAMETERS);
    const withSamples: PayloadParameter[] = [];
    for (const parameter of parameters) {
      // The sample is what the process will write; a value its expression cannot read is left out.
      const sample = await sampleOf(parameter, payload);
      if (sample.ok) withSamples.push({ ...parameter, value: sample.value });
    }

    let best: { object: ObjectModel; matches: ParameterMatch[]; score: number } | null = null;
    for (const object of objects) {
      const matches = matchColumns(object, withSamples, await this.lookupValues(tenantId, object, withSamples), chosen);
      const score = matches.reduce((sum, match) => sum + match.confidence, 0);
      // Objects come sorted by name: on a tie the first one stays.
      if (!best || score > best.score + 1e-9) best = { object, matches, score };
    }
    if (!best) throw new AppError(ErrorCode.NotFound, "This tenant's Webhook entities lookup has no object to map to");

    const proposed = best.matches.map((match) => toProposed(match));
    const definition = await this.definition(tenantId, webhook, source, best.object, proposed);
    const matched = new Set(proposed.filter((entry) => entry.column !== null).map((entry) => entry.column));
    return {
      object: best.object.name,
      objectChosen: objectName === undefined ? 'best-match' : 'given',
      source,
      parameters: proposed,
      unmatched: proposed.filter((entry) => entry.column === null),
      missingRequired: best.object.columns
        .filter((column) => column.required && column.name !== 'Id' && !matched.has(column.name))
        .map((column) => column.name),
      parameterCount: total,
      truncated: total > parameters.length,
      definition,
    };
  }

  private async webhookObjects(tenantId: string): Promise<ObjectModel[]> {
    const objects = (await this.catalogue.listObjects(tenantId)).filter((object) => object.inWebhookLookup);
    return objects.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private async writableObject(tenantId: string, name: string): Promise<ObjectModel> {
    const object = await this.catalogue.getObject(tenantId, name);
    if (!object.inWebhookLookup) {
      // create-record writes only objects of the lookup: a proposal for another could never run.
      throw new AppError(
        ErrorCode.InvalidArgument,
        `Object "${name}" is not in this tenant's Webhook entities lookup, so no process can write it; add it first (PATCH /entities/${name} {"inWebhookLookup": true})`,
      );
    }
    return object;
  }

  /** The display values of each lookup column's records that texts of the payload name, exactly as create-record resolves them. */
  private async lookupValues(tenantId: string, object: ObjectModel, parameters: PayloadParameter[]): Promise<LookupValues> {
    const texts = [
      ...new Set(
        parameters
          .map((parameter) => (typeof parameter.value === 'string' ? parameter.value.trim() : ''))
          .filter((text) => text !== '' && text.length <= 200 && !text.includes('@') && !/^https?:/i.test(text)),
      ),
    ].slice(0, MAX_LOOKUP_VALUES);
    const found: LookupValues = new Map();
    for (const column of object.columns) {
      if (!column.lookup) continue;
      const target = await this.catalogue.findObject(tenantId, column.lookup);
      if (!target) continue;
      const names = new Map<string, string>();
      for (const text of texts) {
        const ids = await this.records.findIds(tenantId, target.name, target.displayColumn, text, 2);
        // Only a name that resolves to one record: two would keep the webhook with a reason.
        if (ids.length !== 1) continue;
        const record = await this.records.get(tenantId, target.name, ids[0]);
        names.set(text.toLowerCase(), String(record?.[target.displayColumn] ?? text));
      }
      found.set(column.name, names);
    }
    return found;
  }

  private async definition(
    tenantId: string,
    webhook: WebhookDetail,
    source: FormSource,
    object: ObjectModel,
    parameters: ProposedParameter[],
  ): Promise<ProcessDefinition> {
    const values: Record<string, string> = {};
    for (const parameter of parameters) if (parameter.writtenAs) values[parameter.writtenAs] = parameter.expression;
    const from = SOURCE_NAMES[source ?? ''] ?? `the API key "${webhook.apiKeyName}"`;
    const columns = parameters
      .filter((entry) => entry.column)
      .map((entry) => (entry.writtenAs === entry.column ? entry.column : `${entry.writtenAs} (by name)`));
    const definition = {
      id: await this.freeId(tenantId, `map-${slug(source ?? webhook.apiKeyName) || 'webhook'}-${slug(object.name)}`),
      name: `${SOURCE_TITLES[source ?? ''] ?? webhook.apiKeyName} → ${object.name}`,
      description:
        `Writes a ${object.name} from each webhook of ${from} sent with the API key "${webhook.apiKeyName}": ` +
        `${columns.length > 0 ? columns.join(', ') : 'no column yet'}. Proposed from webhook ${webhook.id}.`,
      version: 1,
      activeByDefault: true,
      trigger: {
        type: 'webhook' as const,
        // The key's id: names can repeat and be changed, the id stays this source's.
        apiKeys: [webhook.apiKeyId],
        ...(source ? { condition: SOURCE_CONDITIONS[source] } : {}),
      },
      steps: [
        {
          id: 'record',
          type: 'create-record',
          description: `Write the form's fields to ${object.name} columns; lookups given by name are resolved to their record`,
          input: { object: object.name, values },
        },
      ],
    };
    const compiled = this.compiler.compile(definition);
    if (!compiled.ok) {
      throw new AppError(
        ErrorCode.Internal,
        `The proposed definition does not compile: ${compiled.problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ')}`,
      );
    }
    return definition as unknown as ProcessDefinition;
  }

  /** The id, or the id with the first free number after it: a second proposal does not clash with a saved first one. */
  private async freeId(tenantId: string, id: string): Promise<string> {
    const taken = new Set((await this.processes.list(tenantId)).map((process) => process.id));
    if (!taken.has(id)) return id;
    for (let number = 2; ; number++) if (!taken.has(`${id}-${number}`)) return `${id}-${number}`;
  }
}

const SOURCE_NAMES: Record<string, string> = { typeform: 'a Typeform form', tally: 'a Tally form', jotform: 'a Jotform form' };
const SOURCE_TITLES: Record<string, string> = { typeform: 'Typeform', tally: 'Tally', jotform: 'Jotform' };
/** Other deliveries of the same key (a ping, another event type) start nothing. */
const SOURCE_CONDITIONS: Record<Exclude<FormSource, null>, string> = {
  typeform: "event_type = 'form_response'",
  tally: "eventType = 'FORM_RESPONSE'",
  jotform: '$exists(rawRequest)',
};

/** The value the proposal's own expression reads from the webhook: what the process will write. */
async function sampleOf(parameter: PayloadParameter, payload: Record<string, unknown>): Promise<{ ok: true; value: unknown } | { ok: false }> {
  try {
    return { ok: true, value: await Expression.compile(parameter.expression).evaluate(payload, {}) };
  } catch {
    return { ok: false };
  }
}

function toProposed(match: ParameterMatch): ProposedParameter {
  const { parameter } = match;
  return {
    path: parameter.path,
    label: parameter.label,
    expression: parameter.expression,
    sample: parameter.value ?? null,
    column: match.column,
    writtenAs: match.writtenAs,
    reason: match.reason,
    confidence: match.confidence,
    explanation: match.explanation,
  };
}

function slug(text: string): string {
  return normaliseSlug(text).slice(0, 40).replace(/-+$/, '');
}

function normaliseSlug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
