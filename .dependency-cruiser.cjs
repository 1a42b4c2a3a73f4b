// The layers of docs/architecture.md as rules: a module may import only from its own folder and the
// folders below it. `npm test` runs this (test/operability/layers.test.ts), so a reach-back fails the
// day it is written. Lowest first; each layer lists what it may use besides itself.
const LAYERS = {
  core: [],
  shared: ['core'],
  config: ['core', 'shared'],
  store: ['core', 'shared'],
  suites: ['core', 'shared'],
  tenants: ['core', 'shared', 'config', 'store'],
  exporters: ['core', 'shared', 'config', 'store'],
  runs: ['core', 'shared', 'config', 'store', 'suites', 'tenants'],
  scheduler: ['core', 'shared', 'config', 'store', 'runs'],
  model: ['core', 'shared', 'config', 'store', 'exporters'],
  scenarios: ['core', 'shared', 'config', 'store', 'exporters', 'suites', 'tenants', 'runs', 'model'],
  api: ['core', 'shared', 'config', 'store', 'suites', 'tenants', 'exporters', 'runs', 'scheduler', 'model', 'scenarios'],
  cli: null, // the top: wires everything
};

const layerRules = Object.entries(LAYERS)
  .filter(([, allowed]) => allowed !== null)
  .map(([layer, allowed]) => ({
    name: `layer-${layer}`,
    comment: `src/${layer} may import only from ${[layer, ...allowed].map((l) => `src/${l}`).join(', ')} (docs/architecture.md, "Layers")`,
    severity: 'error',
    from: { path: `^src/${layer}/` },
    to: { path: '^src/', pathNot: `^src/(${[layer, ...allowed].join('|')})/` },
  }));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-unknown-folder',
      comment: 'every folder under src/ is a layer named in .dependency-cruiser.cjs and docs/architecture.md',
      severity: 'error',
      from: { path: '^src/', pathNot: `^src/(${Object.keys(LAYERS).join('|')})/` },
      to: {},
    },
    {
      name: 'no-circular',
      comment: 'modules that import each other cannot be understood, tested or loaded one at a time',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'product-not-on-tests',
      comment: 'the product never imports its tests or benchmarks',
      severity: 'error',
      from: { path: '^(src|demo|tenants)/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
    moduleSystems: ['es6', 'cjs'],
  },
};
