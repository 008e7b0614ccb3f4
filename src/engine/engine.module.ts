import { TypeOrmModule } from '@nestjs/typeorm';
import { TenantProcess } from './tenant-process.entity.js';
import { ProcessVersion } from './process-version.entity.js';
import { ProcessInstance } from './process-instance.entity.js';
import { CorrelationWait } from './correlation-wait.entity.js';
import { WaitSubscription } from './wait-subscription.entity.js';
import { CorrelationRepository } from './correlation.repository.js';
import { ApprovalTask } from './approval-task.entity.js';
import { ApprovalTasksRepository } from './approval-tasks.repository.js';
import { TasksService } from './tasks.service.js';
import { Module } from '@nestjs/common';
import { LazyModuleLoader } from '@nestjs/core';
import { CatalogueModule } from '../catalogue/catalogue.module.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { DefinitionCompiler } from './definition-compiler.js';
import { DryRunService } from './dry-run.service.js';
import { WhatIfService } from './what-if.service.js';
import { EffectiveProcesses } from './effective-processes.js';
import { OutboundHttp } from './outbound-http.js';
import { SecretReferences } from './secret-references.js';
import { SecretsModule } from '../secrets/secrets.module.js';
import { BaseDefinitions } from './base-definitions.js';
import { ProcessRunner } from './process-runner.js';
import { ProcessInstancesRepository } from './process-instances.repository.js';
import { ProcessesService } from './processes.service.js';
import { ProcessBpmn } from './process-bpmn.service.js';
import { InstancesService } from './instances.service.js';
import { StepRegistry } from './step-registry.js';
import type { StepType } from './step-type.js';
import { STEP_TYPES } from './steps/index.js';
import { loadStepTypeModules } from './step-type-modules.js';
import { TenantProcessesRepository } from './tenant-processes.repository.js';
import { MappingProposalService } from './mapping-proposal/mapping-proposal.service.js';
import { ExpressionPreviewService } from './expression-preview.service.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([TenantProcess, ProcessVersion, ProcessInstance, CorrelationWait, WaitSubscription, ApprovalTask]),
    CatalogueModule,
    TenantsModule,
    WebhooksModule,
    SecretsModule,
  ],
  providers: [
    OutboundHttp,
    SecretReferences,
    ...STEP_TYPES,
    {
      // The built-in step types, then those of STEP_TYPE_MODULES, loaded once at start: a module
      // that cannot be loaded, or a step type name taken twice, stops the start.
      provide: StepRegistry,
      inject: [APP_CONFIG, LazyModuleLoader, ...STEP_TYPES],
      useFactory: async (config: AppConfig, loader: LazyModuleLoader, ...steps: StepType<never, unknown>[]) =>
        new StepRegistry(steps, await loadStepTypeModules(config.stepTypeModules, loader)),
    },
    { provide: DefinitionCompiler, inject: [StepRegistry], useFactory: (registry: StepRegistry) => new DefinitionCompiler(registry) },
    {
      // Loaded once at start: a broken definition file stops the start with its problems.
      provide: BaseDefinitions,
      inject: [APP_CONFIG, DefinitionCompiler],
      useFactory: (config: AppConfig, compiler: DefinitionCompiler) => BaseDefinitions.load(config.processesDir, compiler),
    },
    { provide: ProcessRunner, useValue: new ProcessRunner() },
    TenantProcessesRepository,
    ProcessInstancesRepository,
    CorrelationRepository,
    ApprovalTasksRepository,
    EffectiveProcesses,
    ProcessesService,
    ProcessBpmn,
    InstancesService,
    TasksService,
    DryRunService,
    WhatIfService,
    MappingProposalService,
    ExpressionPreviewService,
  ],
  exports: [
    ProcessesService,
    ProcessBpmn,
    InstancesService,
    TasksService,
    DryRunService,
    WhatIfService,
    MappingProposalService,
    ExpressionPreviewService,
    DefinitionCompiler,
    StepRegistry,
    // For the pipeline, which runs processes for webhooks:
    EffectiveProcesses,
    ProcessRunner,
    ProcessInstancesRepository,
    CorrelationRepository,
    ApprovalTasksRepository,
  ],
})
export class EngineModule {}
