/** The shape of a process definition file (processes/*.json, validated by processes/process.schema.json). */
export interface ProcessDefinition {
  id: string;
  name: string;
  description?: string;
  version: number;
  activeByDefault: boolean;
  trigger: { type: 'webhook' };
  steps: StepDefinition[];
}

export interface StepDefinition {
  id: string;
  type: string;
  description?: string;
  input?: Record<string, unknown>;
}
