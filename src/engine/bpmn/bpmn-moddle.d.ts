// bpmn-moddle 10 ships no declaration for its entry point; this is the part Hookflow uses.
declare module 'bpmn-moddle' {
  export class BpmnModdle {
    constructor(packages?: Record<string, unknown>);
    create(type: string, attributes?: Record<string, unknown>): unknown;
    fromXML(xml: string): Promise<{ rootElement: unknown; warnings: Array<{ message: string; element?: unknown }> }>;
    toXML(element: unknown, options?: { format?: boolean }): Promise<{ xml: string }>;
  }
}
