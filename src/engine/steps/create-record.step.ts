import { Injectable } from '@nestjs/common';
import type { ObjectModel } from '../../catalogue/catalogue.service.js';
import { RecordsService } from '../../catalogue/records.service.js';
import { outputOf, type StepCall, type StepResult, type StepType } from '../step-type.js';

interface Input {
  object: string;
  values: string;
}

/** Creates a record of the object from the typed values. Output: { recordId }. */
@Injectable()
export class CreateRecordStep implements StepType<Input> {
  readonly type = 'create-record';
  readonly outputInputs = ['object', 'values'];
  readonly inputSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['object', 'values'],
    properties: { object: { type: 'string' }, values: { type: 'string' } },
  };

  constructor(private readonly records: RecordsService) {}

  async execute({ stepId, input, run }: StepCall<Input>): Promise<StepResult> {
    const object = outputOf<ObjectModel>(run, input.object);
    const values = outputOf<Record<string, unknown>>(run, input.values);
    // One record per webhook, process and step, however often the job runs.
    const sourceKey = `${run.webhookId}:${run.processId}:${stepId}`;
    const recordId = await this.records.createOnce(run.tenantId, object.name, values, sourceKey);
    run.recordIds.push(recordId);
    return { ok: true, output: { recordId }, trace: { object: object.name, recordId } };
  }
}
