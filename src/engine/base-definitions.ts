import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { formatProblem, type DefinitionCompiler } from './definition-compiler.js';
import type { CompiledProcess } from './compiled-process.js';

/** A definition file that cannot be used; the message names the file, the JSON path and the problem. */
export class DefinitionFileError extends Error {
  override name = 'DefinitionFileError';
}

/** The base process definitions of processes/, loaded, checked and compiled once at start. */
export class BaseDefinitions {
  private readonly byId = new Map<string, CompiledProcess>();

  constructor(processes: CompiledProcess[]) {
    for (const process of processes) this.byId.set(process.definition.id, process);
  }

  static load(dir: string, compiler: DefinitionCompiler): BaseDefinitions {
    let files: string[];
    try {
      files = readdirSync(dir).filter((file) => file.endsWith('.json') && file !== 'process.schema.json');
    } catch (error) {
      throw new DefinitionFileError(`Cannot read process definitions from ${dir}: ${(error as Error).message}`);
    }
    const problems: string[] = [];
    const processes: CompiledProcess[] = [];
    for (const file of files.sort()) {
      const result = compileFile(join(dir, file), compiler);
      if (result.ok) processes.push(result.process);
      else problems.push(...result.problems);
    }
    if (problems.length > 0) {
      throw new DefinitionFileError(`Invalid process definition:\n  ${problems.join('\n  ')}`);
    }
    return new BaseDefinitions(processes);
  }

  get(id: string): CompiledProcess | undefined {
    return this.byId.get(id);
  }

  all(): CompiledProcess[] {
    return [...this.byId.values()];
  }
}

/** Reads and compiles one definition file; problems are prefixed with the file's path. */
export function compileFile(path: string, compiler: DefinitionCompiler): { ok: true; process: CompiledProcess } | { ok: false; problems: string[] } {
  const shown = relative(process.cwd(), path) || path;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return { ok: false, problems: [`${shown}: ${(error as Error).message}`] };
  }
  const result = compiler.compile(raw, basename(path, '.json'));
  return result.ok ? result : { ok: false, problems: result.problems.map((problem) => `${shown}: ${formatProblem(problem)}`) };
}
