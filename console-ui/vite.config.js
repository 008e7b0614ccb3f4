import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The web console: Preact, built into dist/console-ui and served by the API at /console.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/console-ui', import.meta.url)),
    emptyOutDir: true,
    // Everything the console needs is served by the service itself: no CDN, no inline data URLs for scripts.
    assetsInlineLimit: 0,
    target: 'es2022',
    // The designer's chunk (bpmn-js, ~580 kB) is big on purpose and loaded only with its tab.
    chunkSizeWarningLimit: 700,
  },
});
