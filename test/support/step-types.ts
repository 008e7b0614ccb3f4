import { Module, type INestApplicationContext } from '@nestjs/common';
import { LazyModuleLoader, NestFactory } from '@nestjs/core';
import { loadConfig } from '../../src/config/config.js';
import { loadStepTypeModules, type ExternalStepType } from '../../src/engine/step-type-modules.js';
import { SecretReferences } from '../../src/engine/secret-references.js';
import type { StepType } from '../../src/engine/step-type.js';
import { STEP_TYPES } from '../../src/engine/steps/index.js';
import { HttpRequestStep } from '../../src/engine/steps/http-request.step.js';

/**
 * Every registered step type, built for compiling definitions only: the services they call when
 * running are absent. http-request checks secret references while compiling, against the
 * default configuration (PROCESS_ENV_PREFIX=HOOKFLOW_PROCESS_).
 */
export function stepTypesForCompiling(): StepType<never, unknown>[] {
  const secrets = new SecretReferences(undefined as never, loadConfig({}));
  return STEP_TYPES.map((Type) =>
    Type === HttpRequestStep ? new HttpRequestStep(undefined as never, secrets) : new (Type as unknown as new () => StepType<never, unknown>)(),
  ) as StepType<never, unknown>[];
}

const LOADED = Symbol('LOADED');

/**
 * Loads the modules of a STEP_TYPE_MODULES value as EngineModule does: in a provider's factory,
 * while an application (of nothing else) is set up. Close the application when done.
 */
export async function loadStepTypeModulesAtStart(entries: string): Promise<{ app: INestApplicationContext; external: ExternalStepType[] }> {
  const specs = loadConfig({ STEP_TYPE_MODULES: entries }).stepTypeModules;
  @Module({ providers: [{ provide: LOADED, inject: [LazyModuleLoader], useFactory: (loader: LazyModuleLoader) => loadStepTypeModules(specs, loader) }] })
  class Host {}
  const app = await NestFactory.createApplicationContext(Host, { logger: false, abortOnError: false });
  return { app, external: app.get<ExternalStepType[]>(LOADED) };
}
