/**
 * Bounds of a saved BPMN diagram: far more than a designer draws, little enough to store with
 * every version. A module of its own, without the schema's Ajv, because the console's designer
 * reads its diagram with bpmn-to-definition in the browser.
 */
export const DIAGRAM_LIMITS = { elements: 2000, coordinate: 1_000_000, waypoints: 100 } as const;
