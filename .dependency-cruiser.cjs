// The layers of src/: a module imports only modules of lower layers (README, "Layers").
// `npm run lint` checks this; test/layers.spec.ts checks that the rules hold and catch a breach.

/** From the bottom up. Modules of one layer do not import each other, except as allowed below. */
const LAYERS = [
  ['config'],
  ['common'],
  ['database'],
  ['catalogue'],
  ['tenants'],
  ['secrets', 'drift', 'webhooks', 'auth'],
  ['engine'],
  ['pipeline'],
  ['ingestion', 'admin', 'console', 'cli', 'operations', 'metrics', 'health'],
];

/** Imports within a layer that are allowed, each with its reason. */
const SIDEWAYS = [
  // The webhook route counts each answer it gives; metrics imports nothing of ingestion.
  ['ingestion', 'metrics'],
];

const rank = new Map(LAYERS.flatMap((modules, index) => modules.map((module) => [module, index])));
const modulePath = (module) => `^src/${module}/`;

const upwards = [...rank].map(([module, index]) => {
  const above = [...rank].filter(([other, otherIndex]) => otherIndex > index || (otherIndex === index && other !== module));
  const allowed = SIDEWAYS.filter(([from]) => from === module).map(([, to]) => to);
  const forbidden = above.map(([other]) => other).filter((other) => !allowed.includes(other));
  return {
    name: `layers-${module}`,
    comment: `${module}/ may import only modules below it (${LAYERS.slice(0, index).flat().join(', ') || 'none'})`,
    severity: 'error',
    from: { path: modulePath(module) },
    to: { path: `^src/(${forbidden.join('|')})/` },
  };
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Files that import each other, directly or around a loop',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'known-module',
      comment: 'Every folder of src/ has its place in the layers of .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: '^src/', pathNot: `^src/(${[...rank.keys()].join('|')})/|^src/[^/]+$` },
      to: {},
    },
    {
      name: 'no-root-imports',
      comment: 'The application root (app.ts, app.module.ts, main.ts) is imported by nothing inside src/',
      severity: 'error',
      from: { path: '^src/[^/]+/' },
      to: { path: '^src/[^/]+\\.ts$' },
    },
    ...upwards,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.spec\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
