import { BpmnModdle } from 'bpmn-moddle';

/**
 * The moddle extension of the Hookflow namespace: what a BPMN view of a process definition
 * carries beyond BPMN itself, inside `bpmn:extensionElements`, so that nothing of the definition
 * is lost. Values that are JSON in the definition (a step's input, a trigger's settings, a case
 * value) are JSON text here; standard BPMN tools keep them as unknown elements.
 */
export const HOOKFLOW_PACKAGE = {
  name: 'Hookflow',
  prefix: 'hookflow',
  uri: 'https://hookflow.dev/schema/bpmn/1',
  xml: { tagAlias: 'lowerCase' },
  associations: [],
  types: [
    {
      // On bpmn:process.
      name: 'Process',
      superClass: ['Element'],
      properties: [
        { name: 'version', isAttr: true, type: 'Integer' },
        { name: 'activeByDefault', isAttr: true, type: 'Boolean' },
        { name: 'schema', isAttr: true, type: 'String' },
        { name: 'texts', type: 'Text', isMany: true },
      ],
    },
    {
      // On the start event: the trigger's properties but its type (the event definition says it), as JSON.
      name: 'Trigger',
      superClass: ['Element'],
      properties: [
        { name: 'type', isAttr: true, type: 'String' },
        { name: 'settings', isBody: true, type: 'String' },
      ],
    },
    {
      // On the element of a step (its id is the step id).
      name: 'Step',
      superClass: ['Element'],
      properties: [
        { name: 'type', isAttr: true, type: 'String' },
        { name: 'input', type: 'Input' },
        { name: 'retry', type: 'Retry' },
        { name: 'texts', type: 'Text', isMany: true },
      ],
    },
    { name: 'Input', properties: [{ name: 'json', isBody: true, type: 'String' }] },
    {
      name: 'Retry',
      properties: [
        { name: 'attempts', isAttr: true, type: 'Integer' },
        { name: 'delay', isAttr: true, type: 'String' },
        { name: 'maxDelay', isAttr: true, type: 'String' },
      ],
    },
    {
      // A text of the definition that XML cannot carry as it is (see visibleText), as a JSON string.
      name: 'Text',
      properties: [
        { name: 'field', isAttr: true, type: 'String' },
        { name: 'json', isBody: true, type: 'String' },
      ],
    },
    {
      // On a sequence flow leaving a split: which branch it starts (then, else, case, default, branch),
      // whether that branch is an empty list rather than absent, and a case's value as JSON.
      name: 'Branch',
      superClass: ['Element'],
      properties: [
        { name: 'kind', isAttr: true, type: 'String' },
        { name: 'empty', isAttr: true, type: 'Boolean' },
        { name: 'value', isBody: true, type: 'String' },
      ],
    },
    {
      // On an embedded sub-process that exists only to carry the error boundary event (onError) of
      // the one step inside it, whose element (a gateway or an event) cannot have one.
      name: 'Scope',
      superClass: ['Element'],
      properties: [{ name: 'step', isAttr: true, type: 'String' }],
    },
  ],
};

/** A moddle element as the converters use it: the BPMN and Hookflow properties they read or set. */
export interface BpmnElement {
  $type: string;
  id?: string;
  name?: string;
  body?: string;
  $parent?: BpmnElement;
  documentation?: BpmnElement[];
  text?: string;
  extensionElements?: BpmnElement;
  values?: BpmnElement[];
  rootElements?: BpmnElement[];
  diagrams?: BpmnElement[];
  plane?: BpmnElement;
  planeElement?: BpmnElement[];
  bpmnElement?: BpmnElement;
  bounds?: { x: number; y: number; width: number; height: number };
  waypoint?: Array<{ x: number; y: number }>;
  flowElements?: BpmnElement[];
  artifacts?: BpmnElement[];
  incoming?: BpmnElement[];
  outgoing?: BpmnElement[];
  sourceRef?: BpmnElement;
  targetRef?: BpmnElement;
  default?: BpmnElement;
  conditionExpression?: BpmnElement;
  eventDefinitions?: BpmnElement[];
  attachedToRef?: BpmnElement;
  cancelActivity?: boolean;
  loopCharacteristics?: BpmnElement;
  isSequential?: boolean;
  triggeredByEvent?: boolean;
  calledElement?: string;
  timeDuration?: BpmnElement;
  timeDate?: BpmnElement;
  timeCycle?: BpmnElement;
  condition?: BpmnElement;
  errorRef?: BpmnElement;
  dataInputAssociations?: BpmnElement[];
  dataOutputAssociations?: BpmnElement[];
  // hookflow:*
  type?: string;
  settings?: string;
  input?: BpmnElement;
  json?: string;
  retry?: BpmnElement;
  attempts?: number;
  delay?: string;
  maxDelay?: string;
  texts?: BpmnElement[];
  field?: string;
  kind?: string;
  empty?: boolean;
  value?: string;
  version?: number;
  activeByDefault?: boolean;
  schema?: string;
  step?: string;
}

export interface Moddle {
  create(type: string, attributes?: object): BpmnElement;
  fromXML(xml: string): Promise<{ rootElement: BpmnElement; warnings: Array<{ message: string; element?: BpmnElement }> }>;
  toXML(element: BpmnElement, options?: { format?: boolean }): Promise<{ xml: string }>;
}

export function createModdle(): Moddle {
  return new BpmnModdle({ hookflow: HOOKFLOW_PACKAGE }) as unknown as Moddle;
}

/** The Hookflow extension element of a type ("hookflow:Step") on a BPMN element, if it has one. */
export function extensionOf(element: BpmnElement, type: string): BpmnElement | undefined {
  return element.extensionElements?.values?.find((value) => value.$type === type);
}

// XML 1.0 has no place for these, escaped or not; a conforming parser refuses the document.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A text as a standard XML parser returns it from where it is written: characters XML cannot hold
 * replaced, line ends normalised to "\n" (moddle writes "\r" raw), tabs of attributes turned into
 * spaces (moddle escapes only "\n" there), and a body of nothing but white space dropped (moddle
 * drops it). When this differs from the text, the converters keep the text itself in a
 * hookflow:text, and take it back as long as the visible text was not changed in a designer.
 */
export function visibleText(text: string, where: 'attribute' | 'body'): string {
  if (where === 'body' && text.trim() === '') return '';
  const normalised = text.replace(NOT_XML, '\uFFFD').replace(/\r\n?/g, '\n');
  return where === 'attribute' ? normalised.replace(/\t/g, ' ') : normalised;
}

/** The text a reader should take: the exact copy while the visible text is still what was written from it. */
export function exactText(visible: string | undefined, exact: string | undefined, where: 'attribute' | 'body'): string | undefined {
  if (exact !== undefined && visibleText(exact, where) === (visible ?? '')) return exact;
  return visible;
}

/** JSON as text XML can hold: JSON.stringify escapes control characters and lone surrogates, not these two. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value).replace(/[\uFFFE\uFFFF]/g, (char) => `\\u${char.charCodeAt(0).toString(16)}`);
}
