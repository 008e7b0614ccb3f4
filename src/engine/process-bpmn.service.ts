import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '../common/app-error.js';
import { fromBpmn } from './bpmn/bpmn-to-definition.js';
import { toBpmn } from './bpmn/definition-to-bpmn.js';
import { elementIdOfPath, forEachStep, processElementId } from './bpmn/element-ids.js';
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

/**
 * The problems that saving found in the definition a document draws (each by its JSON path), each
 * with the element it belongs to, as the document's own problems have: a designer marks them there.
 */
function withElements(error: unknown, definition: ProcessDefinition): unknown {
  const problems = error instanceof AppError && error.code === ErrorCode.InvalidDefinition ? error.details?.problems : undefined;
  if (!(error instanceof AppError) || !Array.isArray(problems)) return error;
  const labels = new Map<string, string>([[processElementId(definition), definition.name]]);
  forEachStep(definition.steps, (step) => labels.set(step.id, step.description ?? step.id));
  const located = (problems as DefinitionProblem[]).map((problem) => {
    const elementId = elementIdOfPath(definition, problem.path);
    return { ...problem, elementId, elementName: labels.get(elementId) ?? '' };
  });
  return new AppError(error.code, error.message, error.headers, { ...error.details, problems: located });
}
