import { ConditionStep } from './condition.step.js';
import { CreateRecordStep } from './create-record.step.js';
import { FailStep } from './fail.step.js';
import { FindRecordStep } from './find-record.step.js';
import { ForEachStep } from './for-each.step.js';
import { SwitchStep } from './switch.step.js';
import { ParallelStep } from './parallel.step.js';
import { HttpRequestStep } from './http-request.step.js';
import { MapParametersStep } from './map-parameters.step.js';
import { MapStep } from './map.step.js';
import { ResolveObjectStep } from './resolve-object.step.js';
import { SetVariableStep } from './set-variable.step.js';
import { StopStep } from './stop.step.js';
import { UpsertRecordStep } from './upsert-record.step.js';
import { UpdateRecordStep } from './update-record.step.js';
import { WaitStep } from './wait.step.js';
import { WaitForWebhookStep } from './wait-for-webhook.step.js';
import { WaitForApprovalStep } from './wait-for-approval.step.js';
import { CallProcessStep } from './call-process.step.js';

/** Every step type of the engine. A new step type is one file plus one line here. */
export const STEP_TYPES = [
  ResolveObjectStep,
  MapParametersStep,
  MapStep,
  SetVariableStep,
  ConditionStep,
  SwitchStep,
  ForEachStep,
  ParallelStep,
  FindRecordStep,
  CreateRecordStep,
  UpsertRecordStep,
  UpdateRecordStep,
  HttpRequestStep,
  WaitStep,
  WaitForWebhookStep,
  WaitForApprovalStep,
  CallProcessStep,
  FailStep,
  StopStep,
];
