/**
 * Layering rules (issue 13), checked by `npm run lint` in two passes over the same rule file:
 *
 * - SOURCE pass (default): the graph as written, type-only imports included and marked `type-only`
 *   (tsPreCompilationDeps). Checks who may import whom: core is self-contained, workflows import only core,
 *   workflows and the workflow SDK (activities as `import type` only), test/ and bench/ stay apart, no cycles.
 *       depcruise core workflows activities platform datasets workers client cli sim bench test fixtures
 * - RUNTIME pass (MASPO_DEPCRUISE_GRAPH=runtime): the graph after TypeScript erases type-only imports, i.e. what
 *   the Temporal bundler actually packs. Checks that nothing reachable from a workflow pulls zod, a Node built-in,
 *   a provider SDK or a non-workflow Temporal package. (A reachability rule cannot skip type-only edges, so this
 *   runs on the erased graph instead of the source one: `import type` of activities must stay allowed.)
 *       MASPO_DEPCRUISE_GRAPH=runtime depcruise workflows
 */
const { builtinModules } = require('node:module');

const RUNTIME = process.env.MASPO_DEPCRUISE_GRAPH === 'runtime';

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** An npm package, resolved (node_modules/<name>/…) or not (the bare specifier). */
const npm = (...names) => names.flatMap((n) => [`(^|/)node_modules/${escape(n)}/`, `^${escape(n)}(/|$)`]);
/** Node built-ins: `node:*` and the bare names (fs, path, crypto, child_process, os, http, fs/promises, …). */
const NODE_BUILTINS = [`^node:`, `^(${builtinModules.filter((m) => !m.startsWith('_')).map(escape).join('|')})$`];
/** Packages that must never run inside the workflow sandbox (nor, except @temporalio/common, in core/). */
const TEMPORAL_RUNTIME = npm('@temporalio/activity', '@temporalio/worker', '@temporalio/client', '@temporalio/testing');
const PROVIDER_SDKS = npm('openai', '@google/genai');

/**
 * TEMPORARY EXCEPTIONS — known violations in files owned by other work in progress (issue 13 report). Each entry
 * exempts ONE module from ONE rule; delete the entry once the import named in the comment is gone. (Empty: the
 * calibration → run-record loop went away when calibration moved up to core/forecast, above core/contracts.)
 */
const TEMPORARY_EXCEPTIONS = {};
const except = (rule) => TEMPORARY_EXCEPTIONS[rule] ?? [];

/**
 * Tests whose subject IS the bench harness (the chaos runner, the call-graph analyser, the bad-input runner): they
 * import the bench code they test, the way other tests import core/. Everything merely SHARED between test/ and
 * bench/ lives in fixtures/.
 */
const TESTS_OF_THE_BENCH = ['^test/bench\\.[^/]+\\.test\\.ts$', '^test/chaos\\.[^/]+\\.test\\.ts$', '^test/cli\\.bad-input\\.test\\.ts$'];

const sourceRules = [
  {
    name: 'core-is-self-contained',
    comment: 'core/ is pure and shared by workflows, activities and the client: it imports only core/ and npm packages.',
    severity: 'error',
    from: { path: '^core/' },
    to: { pathNot: ['^core/', '(^|/)node_modules/', ...NODE_BUILTINS] }, // built-ins: core-no-node-builtins
  },
  {
    name: 'core-no-node-builtins',
    comment: 'core/ runs inside the workflow sandbox too: no Node built-ins.',
    severity: 'error',
    from: { path: '^core/' },
    to: { path: NODE_BUILTINS },
  },
  {
    name: 'core-no-runtime-sdks',
    comment: 'core/ may use npm packages, but not the Temporal runtime packages nor the provider SDKs.',
    severity: 'error',
    from: { path: '^core/' },
    to: { path: [...TEMPORAL_RUNTIME, ...npm('@temporalio/workflow'), ...PROVIDER_SDKS] },
  },
  {
    name: 'workflows-import-only-core',
    comment:
      'Workflow code imports only core/, workflows/, @temporalio/workflow and @temporalio/common (and activities as `import type`).',
    severity: 'error',
    from: { path: '^workflows/' },
    to: { pathNot: ['^core/', '^workflows/', '^activities/', ...npm('@temporalio/workflow', '@temporalio/common')] },
  },
  {
    name: 'workflows-activities-type-only',
    comment: 'A workflow calls activities through proxyActivities: it may import their TYPES only (`import type`).',
    severity: 'error',
    from: { path: '^workflows/' },
    to: { path: '^activities/', dependencyTypesNot: ['type-only'] },
  },
  {
    name: 'test-and-bench-apart',
    comment: 'test/ and bench/ do not import each other: what they share lives in fixtures/.',
    severity: 'error',
    from: { path: '^bench/' },
    to: { path: '^test/' },
  },
  {
    name: 'test-and-bench-apart',
    comment: 'test/ and bench/ do not import each other: what they share lives in fixtures/ (tests OF the bench excepted).',
    severity: 'error',
    from: { path: '^test/', pathNot: TESTS_OF_THE_BENCH },
    to: { path: '^bench/' },
  },
  {
    name: 'fixtures-are-shared',
    comment: 'fixtures/ is shared by test/ and bench/, so it imports neither.',
    severity: 'error',
    from: { path: '^fixtures/' },
    to: { path: '^(test|bench)/' },
  },
  {
    name: 'no-circular',
    comment: 'No import cycles (type-only imports count: they are design cycles all the same).',
    severity: 'error',
    from: { pathNot: except('no-circular') },
    to: { circular: true },
  },
  {
    name: 'client-is-a-library',
    comment:
      'client/ is the library (index.ts is its front door); cli/ is the command line built on it: parse flags, call the ' +
      'library, print. The library never imports the command line.',
    severity: 'error',
    from: { path: '^client/' },
    to: { path: '^cli/' },
  },
  {
    name: 'cli-is-the-top',
    comment:
      'cli/ is the top of the graph: nothing but cli/ itself imports it (bin/maspo.js requires dist/cli/main.js; tests ' +
      'and benches spawn cli/main.ts as a process and call the library in client/).',
    severity: 'error',
    from: { pathNot: '^cli/' },
    to: { path: '^cli/' },
  },
  {
    name: 'platform-is-infrastructure',
    comment:
      'platform/ (the maspo home directory, the claim-check payload codec and codec server) is shared by the client, the ' +
      'workers and tests: it imports only core/, platform/ and npm packages, never the code that uses it.',
    severity: 'error',
    from: { path: '^platform/' },
    to: { path: '^(client|cli|workers|workflows|activities|datasets|sim|bench|test|fixtures)/' },
  },
  {
    name: 'datasets-below-client',
    comment: 'datasets/ (loading items: sim, JSONL, benchmark files) is used by the client and the activities: it imports neither.',
    severity: 'error',
    from: { path: '^datasets/' },
    to: { path: '^(client|cli|workers|workflows|activities|bench|test|fixtures)/' },
  },
  // core/ layers, bottom to top (core/README.md): common < grading, search < contracts < forecast < schema.
  // A layer imports only itself and the layers below it.
  {
    name: 'core-layer-common',
    comment: 'core/common (graph, prng, stats, template) is the floor: it imports nothing else from core/.',
    severity: 'error',
    from: { path: '^core/common/' },
    to: { path: '^core/', pathNot: '^core/common/' },
  },
  {
    name: 'core-layer-grading',
    comment: 'core/grading (answer extraction, math equivalence, code programs) imports only core/common.',
    severity: 'error',
    from: { path: '^core/grading/' },
    to: { path: '^core/', pathNot: '^core/(common|grading)/' },
  },
  {
    name: 'core-search-below-run-types',
    comment:
      'core/search (the algorithm) sits below the run-level types: core/contracts imports core/search types, so core/search ' +
      'importing core/contracts, core/forecast or core/schema back would close a loop. It imports only core/common.',
    severity: 'error',
    from: { path: '^core/search/', pathNot: except('core-search-below-run-types') },
    to: { path: '^core/', pathNot: '^core/(common|search)/' },
  },
  {
    name: 'core-contracts-below-forecast',
    comment: 'core/contracts (workflow I/O, run record, ledger) may import core/common and core/search types, not core/forecast or core/schema.',
    severity: 'error',
    from: { path: '^core/contracts/' },
    to: { path: '^core/(forecast|schema|grading)/' },
  },
  {
    name: 'core-forecast-below-schema',
    comment: 'core/forecast (plan, calibration, pricing) may import common, search and contracts, never core/schema (zod).',
    severity: 'error',
    from: { path: '^core/forecast/' },
    to: { path: '^core/(schema|grading)/' },
  },
  {
    name: 'core-schema-at-the-edge',
    comment:
      'core/schema (the zod config) is parsed at the edge (client, activities, sim, bench): nothing a workflow can reach ' +
      '(workflows/ and every other core/ layer) imports it, not even as `import type`.',
    severity: 'error',
    from: { path: ['^workflows/', '^core/'], pathNot: '^core/schema/' },
    to: { path: '^core/schema/' },
  },
];

const runtimeRules = [
  {
    name: 'workflow-bundle-is-sandbox-safe',
    comment:
      'Nothing a workflow imports at runtime (transitively) may pull zod, a Node built-in, a provider SDK or a Temporal runtime package.',
    severity: 'error',
    from: { path: '^workflows/' },
    to: { path: [...npm('zod'), ...NODE_BUILTINS, ...PROVIDER_SDKS, ...TEMPORAL_RUNTIME], reachable: true },
  },
  {
    name: 'workflow-bundle-has-no-schema',
    comment: 'core/schema is the zod config of the edge: no module a workflow imports at runtime (transitively) reaches it.',
    severity: 'error',
    from: { path: '^workflows/' },
    to: { path: '^core/schema/', reachable: true },
  },
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: RUNTIME ? runtimeRules : sourceRules,
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
    tsPreCompilationDeps: !RUNTIME,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['require', 'node', 'default'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
