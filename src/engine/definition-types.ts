/** The shape of a process definition (processes/*.json, checked against processes/process.schema.json). */
export interface ProcessDefinition {
  id: string;
  name: string;
  description?: string;
  version: number;
  activeByDefault: boolean;
  trigger: TriggerDefinition;
  steps: StepDefinition[];
}

export interface TriggerDefinition {
  type: 'webhook';
  /** A JSONata expression on the payload; the process runs only when it is true. */
  condition?: string;
  /** Names (or ids) of the tenant's API keys whose webhooks start the process; all when absent. */
  apiKeys?: string[];
}

export interface StepDefinition {
  id: string;
  type: string;
  description?: string;
  input?: Record<string, unknown>;
  then?: StepDefinition[];
  else?: StepDefinition[];
}
