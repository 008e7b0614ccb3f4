/** The shape of a process definition (processes/*.json, checked against processes/process.schema.json). */
export interface ProcessDefinition {
  id: string;
  name: string;
  description?: string;
  version: number;
  activeByDefault: boolean;
  trigger: TriggerDefinition;
  steps: StepDefinition[];
  /** Where a BPMN designer draws the process (see src/engine/bpmn); never read when running. */
  diagram?: ProcessDiagram;
}

/** Positions of the BPMN view's elements, by BPMN element id (a step's element has the step's id). */
export interface ProcessDiagram {
  /** Tasks, events, gateways and sub-processes: their bounds. */
  shapes?: Record<string, { x: number; y: number; width: number; height: number }>;
  /** Sequence flows: their waypoints, [x, y] each. */
  edges?: Record<string, Array<[number, number]>>;
}

export type TriggerDefinition = WebhookTrigger | ScheduleTrigger | RecordTrigger;

export interface WebhookTrigger {
  type: 'webhook';
  /** A JSONata expression on the payload; the process runs only when it is true. */
  condition?: string;
  /** Names (or ids) of the tenant's API keys whose webhooks start the process; all when absent. */
  apiKeys?: string[];
}

/** Once per tick of the cron expression, for every tenant where the process is active. */
export interface ScheduleTrigger {
  type: 'schedule';
  cron: string;
  /** IANA time zone; UTC when absent. */
  timezone?: string;
}

/** When another process of the tenant creates or updates a record of the object; `$` is the record. */
export interface RecordTrigger {
  type: 'record';
  object: string;
  on: Array<'created' | 'updated'>;
  /** A JSONata expression on the record; the process runs only when it is true. */
  condition?: string;
}

export interface StepDefinition {
  id: string;
  type: string;
  description?: string;
  input?: Record<string, unknown>;
  /** condition: the steps run when "if" is true, and when it is false. */
  then?: StepDefinition[];
  else?: StepDefinition[];
  /** for-each: the steps run once per item. */
  steps?: StepDefinition[];
  /** switch: the steps run for each value, and for any other. */
  cases?: Record<string, StepDefinition[]>;
  default?: StepDefinition[];
  /** parallel: lists of steps run side by side, then joined. */
  branches?: StepDefinition[][];
  /** Any step: the steps run when it fails (with `$error`), after which the run goes on. */
  onError?: StepDefinition[];
  /** Any step: attempts again after a failure that may pass, the instance waiting in between. */
  retry?: { attempts: number; delay?: string; maxDelay?: string };
}

/** The properties of a step that hold nested steps; a step type declares those it takes (StepType.branches), and every step takes onError. */
export const BRANCH_PROPERTIES = ['then', 'else', 'steps', 'cases', 'default', 'branches', 'onError'] as const;
export type BranchProperty = (typeof BRANCH_PROPERTIES)[number];
