// The layers of docs/architecture.md as rules: a module may import only from its own folder and the
// folders below it. `npm test` runs this over src/, demo/, tenants/, test/ and bench/
// (test/operability/layers.test.ts), so a reach-back fails the day it is written. Lowest first; each
// layer lists what it may use besides itself.
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
  model: ['core', 'shared', 'config', 'store'],
  scenarios: ['core', 'shared', 'config', 'store', 'suites', 'tenants', 'runs', 'model'],
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
      from: {},
      to: { circular: true },
    },
    {
      name: 'product-not-on-tests',
      comment: 'the product never imports its tests or benchmarks',
      severity: 'error',
      from: { path: '^(src|demo|tenants)/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'src-stays-in-src',
      comment:
        'src/ imports only src/, Node and its dependencies; the one way out is the CLI context starting the bundled demo app (src/cli/context.ts → demo/app.ts, lazily)',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/context\\.ts$' },
      to: { pathNot: '(^src/|node_modules/|^node:)', dependencyTypesNot: ['core'] },
    },
    {
      name: 'demo-and-tenants-stand-alone',
      comment:
        'demo/ is a third party\'s app and tenants/ a team\'s own provisioners: they use only Node and their packages, never Vigil\'s code (what they show must work without it)',
      severity: 'error',
      from: { path: '^(demo|tenants)/' },
      to: { path: '^(src|test|bench|suites)/' },
    },
    {
      name: 'cli-commands-independent',
      comment: 'a command does not import another command: what two commands share goes in cli/ or in the layer it belongs to',
      severity: 'error',
      from: { path: '^src/cli/commands/([^/]+)\\.ts$' },
      to: { path: '^src/cli/commands/', pathNot: '^src/cli/commands/$1\\.ts$' },
    },
    {
      name: 'no-dev-dependency-in-product',
      comment: 'the image installs production dependencies only: src/, demo/ and tenants/ may not import a devDependency',
      severity: 'error',
      from: { path: '^(src|demo|tenants)/' },
      to: { dependencyTypes: ['npm-dev'] },
    },
    {
      name: 'no-undeclared-package',
      comment: 'every package imported is in package.json (not only there by accident, as a dependency of a dependency)',
      severity: 'error',
      from: {},
      // node:sqlite is newer than dependency-cruiser's list of Node's own modules.
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown', 'unknown', 'undetermined'], pathNot: '^node:' },
    },
    {
      name: 'specs-not-imported',
      comment: 'a spec (*.test.ts) is run by node --test, never imported: what specs share goes in test/helpers or next to them',
      severity: 'error',
      from: {},
      to: { path: '\\.test\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
    moduleSystems: ['es6', 'cjs'],
  },
};
