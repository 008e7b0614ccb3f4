import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../common/app-error.js';
import { fromBpmn } from './bpmn/bpmn-to-definition.js';
import { toBpmn } from './bpmn/definition-to-bpmn.js';
import { elementIdOfPath } from './bpmn/element-ids.js';
import type { DefinitionProblem } from './definition-compiler.js';
import type { ProcessDefinition } from './definition-types.js';
import { ProcessesService, type ProcessView } from './processes.service.js';

/** A tenant's processes as BPMN 2.0 documents: the definition that runs, drawn; a drawn one saved as the tenant's. */
@Injectable()
export class ProcessBpmn {
  constructor(private readonly processes: ProcessesService) {}

  /** The definition that runs for the tenant (base, override or custom) as BPMN XML with its diagram. */
  async export(tenantId: string, processId: string): Promise<string> {
    return toBpmn((await this.processes.get(tenantId, processId)).definition);
  }

  /**
   * A BPMN document saved as the tenant's process of its id (an override of a base process, a new
   * version of a custom one, or a new custom process). `processId`, when given, must be that id.
   */
  async import(tenantId: string, xml: unknown, processId?: string): Promise<ProcessView> {
    if (typeof xml !== 'string') {
      throw new AppError(ErrorCode.UnsupportedMediaType, 'Send the BPMN document as XML (Content-Type: application/xml)');
    }
    const { definition } = await fromBpmn(xml);
    if (processId !== undefined && definition.id !== processId) {
      const problem = { path: '/id', message: `the document's process is "${definition.id}", not "${processId}"` };
      throw new AppError(ErrorCode.InvalidDefinition, `Invalid process definition: ${problem.message}`, {}, { problems: [problem] });
    }
    try {
      return await this.processes.save(tenantId, definition);
    } catch (error) {
      throw withElements(error, definition);
    }
  }
}

/** A definition's problems (JSON paths) also name the diagram element each belongs to, for the designer to mark. */
function withElements(error: unknown, definition: ProcessDefinition): unknown {
  if (!(error instanceof AppError) || error.code !== ErrorCode.InvalidDefinition) return error;
  const problems = error.details?.problems;
  if (!Array.isArray(problems)) return error;
  const located = (problems as DefinitionProblem[]).map((problem) => ({ ...problem, elementId: elementIdOfPath(definition, problem.path) }));
  return new AppError(error.code, error.message, error.headers, { ...error.details, problems: located });
}
