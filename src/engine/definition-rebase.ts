import type { ProcessDefinition } from './definition-types.js';

export interface Rebased {
  /** The override with the base's changes applied (when there is no conflict). */
  definition: ProcessDefinition;
  /** JSON pointers the base changed and the override changed differently: nothing is merged then. */
  conflicts: string[];
  /** JSON pointers the base changed. */
  changed: string[];
}

interface Change {
  path: string[];
  from: unknown;
  to: unknown;
}

/**
 * Applies what changed from the old base to the new base to an override, path by path (a JSON
 * merge of the changed paths): a path the override left as it was in the old base takes the new
 * base's value; one the override already set to the new value is fine; any other is a conflict.
 * Arrays are compared element by element while their length stays; an array whose length changed
 * is one value, so a base that adds a step conflicts with an override that changed the steps.
 * `version` is not merged: saving assigns it.
 */
export function rebaseDefinition(oldBase: ProcessDefinition, newBase: ProcessDefinition, override: ProcessDefinition): Rebased {
  const changes = diff(oldBase, newBase, []).filter((change) => !(change.path.length === 1 && change.path[0] === 'version'));
  const merged = structuredClone(override) as unknown as Record<string, unknown>;
  const conflicts: string[] = [];
  for (const change of changes) {
    const current = valueAt(merged, change.path);
    if (same(current, change.to)) continue;
    if (!same(current, change.from) || !setAt(merged, change.path, change.to)) conflicts.push(pointer(change.path));
  }
  return { definition: merged as unknown as ProcessDefinition, conflicts, changed: changes.map((change) => pointer(change.path)) };
}

function diff(a: unknown, b: unknown, path: string[]): Change[] {
  if (same(a, b)) return [];
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((key) => diff(a[key], b[key], [...path, key]));
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    return a.flatMap((item, index) => diff(item, b[index], [...path, String(index)]));
  }
  return [{ path, from: a, to: b }];
}

function valueAt(root: unknown, path: string[]): unknown {
  let node = root;
  for (const key of path) {
    if (isObject(node)) node = node[key];
    else if (Array.isArray(node)) node = node[Number(key)];
    else return undefined;
  }
  return node;
}

/** False when the override has no container at the path's parent (it removed or replaced it). */
function setAt(root: Record<string, unknown>, path: string[], value: unknown): boolean {
  const parent = valueAt(root, path.slice(0, -1));
  const key = path[path.length - 1];
  if (isObject(parent)) {
    if (value === undefined) delete parent[key];
    else parent[key] = value;
    return true;
  }
  // Inside arrays of unchanged length only: an element is replaced, never added or removed.
  if (Array.isArray(parent) && value !== undefined && Number(key) < parent.length) {
    parent[Number(key)] = value;
    return true;
  }
  return false;
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => same(item, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a).filter((key) => a[key] !== undefined);
    return keys.length === Object.keys(b).filter((key) => b[key] !== undefined).length && keys.every((key) => same(a[key], b[key]));
  }
  return false;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RFC 6901: "~" and "/" in a key are escaped. */
function pointer(path: string[]): string {
  return `/${path.map((key) => key.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}
