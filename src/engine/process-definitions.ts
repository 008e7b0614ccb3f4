import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { ProcessDefinition } from './process-definition.js';
import type { DefinitionValidator } from './definition-validator.js';

/** A definition file that cannot be used; the message names the file, the JSON path and the problem. */
export class DefinitionFileError extends Error {}

/** The base process definitions of processes/, loaded and validated once at start. */
export class ProcessDefinitions {
  private readonly byId = new Map<string, ProcessDefinition>();

  constructor(definitions: ProcessDefinition[]) {
    for (const definition of definitions) this.byId.set(definition.id, definition);
  }

  static load(dir: string, validator: DefinitionValidator): ProcessDefinitions {
    let files: string[];
    try {
      files = readdirSync(dir).filter((file) => file.endsWith('.json') && file !== 'process.schema.json');
    } catch (error) {
      throw new DefinitionFileError(`Cannot read process definitions from ${dir}: ${(error as Error).message}`);
    }
    const problems: string[] = [];
    const definitions: ProcessDefinition[] = [];
    for (const file of files.sort()) {
      const path = join(dir, file);
      const shown = relative(process.cwd(), path) || path;
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(path, 'utf8'));
      } catch (error) {
        problems.push(`${shown}: not valid JSON: ${(error as Error).message}`);
        continue;
      }
      const result = validator.validate(raw, basename(file, '.json'));
      if (result.ok) definitions.push(result.definition);
      else problems.push(...result.problems.map((problem) => `${shown}: ${problem}`));
    }
    if (problems.length > 0) {
      throw new DefinitionFileError(`Invalid process definition:\n  ${problems.join('\n  ')}`);
    }
    return new ProcessDefinitions(definitions);
  }

  get(id: string): ProcessDefinition | undefined {
    return this.byId.get(id);
  }

  all(): ProcessDefinition[] {
    return [...this.byId.values()];
  }
}
