import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run build` (Vite) puts the console: dist/console-ui of the package. */
export const CONSOLE_BUILD_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'console-ui');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  // The designer's icon font (bpmn-js) comes in every format its CSS names.
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.eot': 'application/vnd.ms-fontobject',
  '.txt': 'text/plain; charset=utf-8',
};

export interface ConsoleFile {
  body: Buffer;
  contentType: string;
  /** Vite names built assets by their content hash: they never change under the same name. */
  immutable: boolean;
}

/**
 * The built console, read once at start. Requests are answered from this table only, so no
 * request path (with "..", encoded slashes or anything else) can reach a file outside it.
 */
export class ConsoleFiles {
  private readonly files = new Map<string, ConsoleFile>();

  constructor(readonly root: string = CONSOLE_BUILD_DIR) {
    if (existsSync(root)) this.load(root);
  }

  get built(): boolean {
    return this.files.has('index.html');
  }

  /** The file at a path relative to /console/ ("" for the index). */
  find(path: string): ConsoleFile | null {
    return this.files.get(path === '' ? 'index.html' : path) ?? null;
  }

  private load(dir: string): void {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) this.load(path);
      else if (entry.isFile()) {
        const name = relative(this.root, path).split(sep).join('/');
        this.files.set(name, {
          body: readFileSync(path),
          contentType: CONTENT_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream',
          immutable: name.startsWith('assets/'),
        });
      }
    }
  }
}
