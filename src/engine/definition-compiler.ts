import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { CronExpressionParser } from 'cron-parser';
import { AppError, ErrorCode } from '../common/app-error.js';
import { compileExpression, InputProblem, STEP_TOOLS, type StepType } from './step-type.js';
import type { CompiledProcess, CompiledStep, StepRetry } from './compiled-process.js';
import { addIsoDuration, parseIsoDuration } from '../common/iso-duration.js';
import { BRANCH_PROPERTIES, type ProcessDefinition, type StepDefinition } from './definition-types.js';
import { buildProcessSchema } from './process-schema.js';
import type { StepRegistry } from './step-registry.js';

/** A problem of a definition: the JSON pointer of the value at fault ("/" for the whole) and what is wrong there. */
export interface DefinitionProblem {
  path: string;
  message: string;
}

export type Compilation = { ok: true; process: CompiledProcess } | { ok: false; problems: DefinitionProblem[] };

/** A problem as one line for people: `/steps/0/type: unknown step type "send-fax" (…)`. */
export function formatProblem(problem: DefinitionProblem): string {
  return `${problem.path}: ${problem.message}`;
}

/** The error of a definition that does not compile: the problems one per line, and as `details.problems` for programs. */
export function invalidDefinition(problems: DefinitionProblem[]): AppError {
  return new AppError(ErrorCode.InvalidDefinition, `Invalid process definition:\n  ${problems.map(formatProblem).join('\n  ')}`, {}, { problems });
}

/**
 * Checks a definition (the JSON Schema, known step types, each step's input, unique step ids,
 * expressions that parse) and compiles it for running. Every problem names its JSON path.
 */
export class DefinitionCompiler {
  private readonly validateSchema: ValidateFunction;

  constructor(private readonly registry: StepRegistry) {
    this.validateSchema = new Ajv({ allErrors: true, strict: false, verbose: true }).compile(buildProcessSchema(registry.all()));
  }

  compile(raw: unknown, expectedId?: string): Compilation {
    if (!this.validateSchema(raw)) {
      return { ok: false, problems: describeSchemaErrors(this.validateSchema.errors ?? []) };
    }
    const definition = raw as ProcessDefinition;
    const problems: DefinitionProblem[] = [];
    if (expectedId !== undefined && definition.id !== expectedId) {
      problems.push({ path: '/id', message: `"${definition.id}" must equal the file name "${expectedId}"` });
    }
    let condition = null;
    if (definition.trigger.type !== 'schedule' && definition.trigger.condition !== undefined) {
      try {
        condition = compileExpression(definition.trigger.condition, '/trigger/condition');
      } catch (error) {
        problems.push(describe(error, ''));
      }
    }
    if (definition.trigger.type === 'schedule') problems.push(...scheduleProblems(definition.trigger.cron, definition.trigger.timezone));
    const seen = new Set<string>();
    const steps = this.compileSteps(definition.steps, '/steps', seen, problems);
    return problems.length > 0 ? { ok: false, problems } : { ok: true, process: { definition, condition, steps } };
  }

  private compileSteps(steps: StepDefinition[], path: string, seen: Set<string>, problems: DefinitionProblem[]): CompiledStep[] {
    return steps.map((step, index) => {
      const at = `${path}/${index}`;
      if (seen.has(step.id)) problems.push({ path: `${at}/id`, message: `"${step.id}" is the id of another step` });
      seen.add(step.id);
      const type = this.registry.get(step.type)!;
      let input: unknown = step.input ?? {};
      try {
        input = type.compile ? type.compile(input as never, STEP_TOOLS) : input;
      } catch (error) {
        problems.push(describe(error, `${at}/input`));
      }
      const branches = this.compileBranches(step, type, at, seen, problems);
      return { definition: step, type: type as StepType<never, unknown>, input, branches, retry: compileRetry(step, at, problems) };
    });
  }

  /** The nested steps of a step, by branch name; nested steps of a kind its type does not take are a problem. */
  private compileBranches(step: StepDefinition, type: StepType<never, unknown>, at: string, seen: Set<string>, problems: DefinitionProblem[]) {
    const branches: Record<string, CompiledStep[]> = {};
    for (const property of BRANCH_PROPERTIES) {
      const nested = step[property];
      if (nested === undefined) continue;
      if (property !== 'onError' && !type.branches?.includes(property)) {
        const takers = this.registry.all().filter((other) => other.branches?.includes(property));
        problems.push({ path: `${at}/${property}`, message: `only ${takers.map((other) => other.type).join(', ') || 'no'} steps have "${property}"` });
        continue;
      }
      if (property === 'branches') {
        for (const [index, steps] of (nested as StepDefinition[][]).entries()) {
          branches[`branches/${index}`] = this.compileSteps(steps, `${at}/branches/${index}`, seen, problems);
        }
      } else if (Array.isArray(nested)) branches[property] = this.compileSteps(nested as StepDefinition[], `${at}/${property}`, seen, problems);
      else {
        for (const [value, steps] of Object.entries(nested)) {
          branches[`cases/${value}`] = this.compileSteps(steps, `${at}/cases/${pointerToken(value)}`, seen, problems);
        }
      }
    }
    return branches;
  }
}

/** A schedule's cron expression and time zone, as BullMQ's job schedulers read them (cron-parser). */
function scheduleProblems(cron: string, timezone: string | undefined): DefinitionProblem[] {
  if (timezone !== undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: timezone });
    } catch {
      return [{ path: '/trigger/timezone', message: `"${timezone}" is not an IANA time zone such as "Europe/Berlin" or "UTC"` }];
    }
  }
  const fields = cron.trim().split(/\s+/).length;
  if (fields < 5 || fields > 6)
    return [
      { path: '/trigger/cron', message: `"${cron}" has ${fields} fields; a cron expression has 5 (minute hour day month weekday), or 6 with seconds first` },
    ];
  try {
    CronExpressionParser.parse(cron, { tz: timezone ?? 'UTC', strict: false });
  } catch (error) {
    return [{ path: '/trigger/cron', message: `"${cron}" is not a cron expression: ${(error as Error).message}` }];
  }
  return [];
}

const DEFAULT_RETRY_DELAY = 'PT1M';
const DEFAULT_RETRY_MAX_DELAY = 'PT1H';

/** A step's retry option with its durations in milliseconds (the schema has checked their form). */
function compileRetry(step: StepDefinition, at: string, problems: DefinitionProblem[]): StepRetry | null {
  if (!step.retry) return null;
  const milliseconds = (text: string) => {
    const duration = parseIsoDuration(text);
    return duration ? addIsoDuration(new Date(0), duration).getTime() : 0;
  };
  const delayMs = milliseconds(step.retry.delay ?? DEFAULT_RETRY_DELAY);
  const maxDelayMs = milliseconds(step.retry.maxDelay ?? DEFAULT_RETRY_MAX_DELAY);
  if (delayMs <= 0) problems.push({ path: `${at}/retry/delay`, message: 'must be longer than nothing' });
  if (maxDelayMs < delayMs)
    problems.push({ path: `${at}/retry/maxDelay`, message: `must not be shorter than the delay (${step.retry.delay ?? DEFAULT_RETRY_DELAY})` });
  return { attempts: step.retry.attempts, delayMs, maxDelayMs };
}

function describe(error: unknown, base: string): DefinitionProblem {
  if (error instanceof InputProblem) return { path: `${base}${error.path}`, message: error.message };
  throw error;
}

/**
 * Ajv reports a failed "if/then" per step type and the branches of every keyword; keep the
 * errors a person can act on, most specific first.
 */
function describeSchemaErrors(errors: ErrorObject[]): DefinitionProblem[] {
  const problems = errors.filter((error) => error.keyword !== 'if').map((error) => ({ path: error.instancePath || '/', message: describeSchemaError(error) }));
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = formatProblem(problem);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function describeSchemaError(error: ErrorObject): string {
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown property "${(error.params as { additionalProperty: string }).additionalProperty}"`;
    case 'enum':
      if (error.instancePath === '/trigger/type') {
        return `unknown trigger type ${JSON.stringify(error.data)} (known: ${(error.params as { allowedValues: string[] }).allowedValues.join(', ')})`;
      }
      return error.instancePath.endsWith('/type')
        ? `unknown step type ${JSON.stringify(error.data)} (known: ${(error.params as { allowedValues: string[] }).allowedValues.join(', ')})`
        : `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}`;
    case 'false schema':
      return 'is not a property of this trigger type';
    default:
      return error.message ?? 'is invalid';
  }
}

/** A key as a token of a JSON Pointer (RFC 6901). */
function pointerToken(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
