import type { InjectionToken, Type } from '@nestjs/common';
import type { LazyModuleLoader, ModuleRef } from '@nestjs/core';
import { Ajv } from 'ajv';
import { existsSync } from 'node:fs';
import { ConfigError, type StepTypeModuleSpec } from '../config/config.js';
import type { StepType } from './step-type.js';

/**
 * What a module of STEP_TYPE_MODULES exports as default: a NestJS module class whose static
 * `stepTypes` lists the tokens (usually the classes) of its providers that are step types. The
 * module is set up like any other (its imports, its own providers, their lifecycle hooks, and
 * the global modules such as the configuration), so a step type gets its dependencies injected.
 * Everything is structural: the module needs nothing of Hookflow's to import.
 */
export interface StepTypeModule extends Type<unknown> {
  stepTypes: InjectionToken[];
}

/** A step type of a module of STEP_TYPE_MODULES, with the entry that registered it (for messages). */
export interface ExternalStepType {
  step: StepType<never, unknown>;
  origin: string;
}

/** Step type names: what definitions write as `type`. */
const STEP_TYPE_NAME = /^[a-z][a-z0-9-]{0,63}$/;

/**
 * Imports each module of STEP_TYPE_MODULES and sets it up inside the application (Nest's lazy
 * loading: the module list is only known from the configuration), in the order given. A module
 * that cannot be loaded, exports no step type, or registers something that is not one stops the
 * start with a ConfigError naming the entry and the problem.
 */
export async function loadStepTypeModules(specs: StepTypeModuleSpec[], loader: LazyModuleLoader): Promise<ExternalStepType[]> {
  const loaded: ExternalStepType[] = [];
  for (const spec of specs) {
    const module = stepTypeModuleOf(spec, await importModule(spec));
    let moduleRef: ModuleRef;
    try {
      moduleRef = await loader.load(() => module);
    } catch (error) {
      throw problem(spec, `${module.name} cannot be set up: ${oneLine(error)}`);
    }
    for (const token of module.stepTypes) loaded.push({ step: stepTypeOf(spec, module, moduleRef, token), origin: spec.name });
  }
  return loaded;
}

function problem(spec: StepTypeModuleSpec, message: string): ConfigError {
  return new ConfigError(`STEP_TYPE_MODULES: "${spec.name}" ${message}`);
}

async function importModule(spec: StepTypeModuleSpec): Promise<Record<string, unknown>> {
  if (spec.file !== null && !existsSync(spec.file)) throw problem(spec, `cannot be loaded: there is no file ${spec.file}`);
  try {
    return (await import(spec.specifier)) as Record<string, unknown>;
  } catch (error) {
    if (spec.file === null && isMissingPackage(error, spec.name)) {
      throw problem(spec, 'cannot be loaded: no package of that name is installed beside Hookflow (a file is written ./… or /…)');
    }
    throw problem(spec, `cannot be loaded: ${oneLine(error)}`);
  }
}

/** Whether the import failed because the package itself is missing, not one of its own imports. */
function isMissingPackage(error: unknown, name: string): boolean {
  const parts = name.split('/');
  const root = name.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  const code = (error as { code?: unknown }).code;
  const notFound = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (module|package)/.test(String((error as Error).message));
  return notFound && new RegExp(`['"]${escapeRegExp(root)}(/[^'"]*)?['"]`).test(String((error as Error).message));
}

function stepTypeModuleOf(spec: StepTypeModuleSpec, exports: Record<string, unknown>): StepTypeModule {
  const module = exports.default;
  const contract = 'export default a NestJS module class whose static stepTypes lists its step type providers';
  if (module === undefined) throw problem(spec, `exports no step type: it has no default export (${contract})`);
  if (typeof module !== 'function') throw problem(spec, `exports no step type: its default export is not a class (${contract})`);
  const { stepTypes } = module as Partial<StepTypeModule>;
  if (!Array.isArray(stepTypes) || stepTypes.length === 0) {
    throw problem(spec, `exports no step type: ${module.name || 'its default export'}.stepTypes lists none (${contract})`);
  }
  return module as StepTypeModule;
}

function stepTypeOf(spec: StepTypeModuleSpec, module: StepTypeModule, moduleRef: ModuleRef, token: InjectionToken): StepType<never, unknown> {
  const shown = typeof token === 'function' ? token.name : String(token);
  let step: Partial<StepType<never, unknown>>;
  try {
    step = moduleRef.get(token, { strict: true });
  } catch {
    throw problem(spec, `lists ${shown} in ${module.name}.stepTypes, but it is not a provider of ${module.name}`);
  }
  const missing = [
    typeof step?.type === 'string' ? null : 'type',
    typeof step?.description === 'string' ? null : 'description',
    typeof step?.inputSchema === 'object' && step.inputSchema !== null ? null : 'inputSchema',
    typeof step?.execute === 'function' ? null : 'execute',
  ].filter((name) => name !== null);
  if (missing.length > 0) throw problem(spec, `registers ${shown}, which is not a step type: it has no ${missing.join(', ')}`);
  if (step.compile !== undefined && typeof step.compile !== 'function') throw problem(spec, `registers ${shown}, whose compile is not a function`);
  if (!STEP_TYPE_NAME.test(step.type!)) {
    throw problem(spec, `registers the step type "${step.type}", whose name is not 1-64 lower-case letters, digits and "-", starting with a letter`);
  }
  try {
    new Ajv({ strict: false }).compile(step.inputSchema!);
  } catch (error) {
    throw problem(spec, `registers the step type "${step.type}", whose inputSchema is no JSON Schema: ${oneLine(error)}`);
  }
  return step as StepType<never, unknown>;
}

/** An error's message on one line: main.ts and the CLI print a start's problem as one line. */
function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, ' ').trim();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
