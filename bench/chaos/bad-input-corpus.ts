/**
 * The bad-input corpus (issue 5, scenario 5): configs, datasets and command lines that `maspo` must refuse with
 * ONE line naming the field, file or line, exit code 2, no stack trace and nothing started. Shared by
 * test/cli.bad-input.test.ts (short run in `npm test`) and bench/chaos/bad-input.ts (the chaos scenario), both of
 * which feed it through the real CLI process with bench/chaos/bad-input.ts's runner.
 *
 * Each case is built from a valid base config with one defect, so the case fails for that defect and no other
 * (the test checks the bases themselves are accepted). Files are written into the case's own directory; `p(name)`
 * gives their absolute path.
 */
import { stringify } from 'yaml';

export type CaseGroup = 'config' | 'dataset' | 'cli';

export interface BadInputCase {
  name: string;
  group: CaseGroup;
  /** Files written into the case directory before the CLI runs. */
  files?: Record<string, string | Buffer>;
  /** CLI arguments; `p(name)` is the absolute path of a file of the case directory. */
  args: (p: (name: string) => string) => string[];
  /** The one-line message must match this (it names the field, file or line). */
  expect: RegExp;
  /** Part of the short version in `npm test` (test/cli.bad-input.test.ts); `npm run chaos` runs every case. */
  short?: boolean;
  /** Runs against a live Temporal server (TEMPORAL_ADDRESS set) whose workflow list must stay empty. */
  needsServer?: boolean;
  /** Extra environment variables of the CLI process (bad maspo settings from the environment). */
  env?: Record<string, string>;
}

/** Plain config data, changed freely by the cases. */
type Config = Record<string, any>;

/** A valid evaluation config on the simulator: two agents a → b. */
export function baseConfig(): Config {
  return {
    name: 'bad-input',
    dataset: { kind: 'sim', size: 3 },
    mas: {
      agents: [
        { id: 'a', prompt: 'Solve {{question}}' },
        { id: 'b', prompt: 'Check {{context}} {{question}}' },
      ],
      edges: ['a -> b'],
    },
    models: { backbone: { provider: 'sim', model: 's' } },
  };
}

/** A valid search config: the base plus optimizer, judge and a small `optimize:` section. */
export function searchConfig(): Config {
  const c = baseConfig();
  c.models.optimizer = { provider: 'sim', model: 's' };
  c.models.judge = { provider: 'sim', model: 's' };
  c.optimize = { rounds: 1, stepsPerRound: 1, poolSize: 4, batchSize: 2 };
  return c;
}

/** YAML of a config after `change` (applied to a fresh copy). */
export function yamlOf(base: () => Config, change: (c: Config) => void = () => {}): string {
  const c = base();
  change(c);
  return stringify(c);
}

/** JSON Lines of `n` valid items. */
export function jsonlItems(n: number, from = 1): string {
  return Array.from({ length: n }, (_, i) => JSON.stringify({ id: `q${from + i}`, question: `${from + i}+1`, answer: String(from + i + 1) })).join('\n') + '\n';
}

/** An evaluation config reading `data.jsonl` (next to it) with the given dataset settings. */
function jsonlConfig(dataset: Config = {}): string {
  return yamlOf(baseConfig, (c) => (c.dataset = { kind: 'jsonl', path: 'data.jsonl', fields: { id: 'id' }, ...dataset }));
}

const evaluate = (file = 'config.yaml') => (p: (n: string) => string) => ['evaluate', p(file)];
const optimize = (file = 'config.yaml') => (p: (n: string) => string) => ['optimize', p(file)];

/** Config cases: `evaluate`/`optimize` on a config with one defect. */
const CONFIG_CASES: BadInputCase[] = [
  { name: 'YAML syntax error', group: 'config', short: true, files: { 'config.yaml': 'name: x\nseed: 1\nmas: { agents: [ }\n' }, args: evaluate(), expect: /config\.yaml:3:\d+: invalid YAML/ },
  { name: 'YAML duplicate key', group: 'config', files: { 'config.yaml': 'name: a\nseed: 1\nname: b\n' }, args: evaluate(), expect: /config\.yaml:3:1: invalid YAML \(Map keys must be unique\)/ },
  { name: 'YAML tab indentation', group: 'config', files: { 'config.yaml': 'name: a\nmas:\n\tagents: []\n' }, args: evaluate(), expect: /config\.yaml:3:1: invalid YAML \(Tabs are not allowed as indentation\)/ },
  { name: 'JSON syntax error', group: 'config', files: { 'config.json': '{ "name": "x", }' }, args: evaluate('config.json'), expect: /config\.json: invalid JSON/ },
  { name: 'empty config file', group: 'config', short: true, files: { 'config.yaml': '' }, args: evaluate(), expect: /config\.yaml: expected a mapping of settings at the top level/ },
  { name: 'binary config file', group: 'config', short: true, files: { 'config.yaml': Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x09, 0x6e, 0x88, 0x00, 0xff, 0x0a, 0x00]) }, args: evaluate(), expect: /config\.yaml: binary file \(contains NUL bytes\), expected YAML or JSON text/ },
  { name: 'config path is a directory', group: 'config', args: (p) => ['evaluate', p('')], expect: /: cannot read config \(EISDIR\)/ },
  { name: 'config is a list', group: 'config', files: { 'config.yaml': '- a\n- b\n' }, args: evaluate(), expect: /config\.yaml: expected a mapping/ },
  { name: 'unknown top-level field', group: 'config', short: true, files: { 'config.yaml': yamlOf(baseConfig, (c) => (c.optimise = { rounds: 2 })) }, args: evaluate(), expect: /config\.yaml: \(root\): unknown field 'optimise'/ },
  { name: 'seed of wrong type', group: 'config', short: true, files: { 'config.yaml': yamlOf(baseConfig, (c) => (c.seed = 'abc')) }, args: evaluate(), expect: /config\.yaml: seed: .*number/ },
  { name: 'dataset size of wrong type', group: 'config', short: true, files: { 'config.yaml': yamlOf(baseConfig, (c) => (c.dataset.size = 'three')) }, args: evaluate(), expect: /config\.yaml: dataset\.size: / },
  { name: 'unknown dataset kind', group: 'config', files: { 'config.yaml': yamlOf(baseConfig, (c) => (c.dataset = { kind: 'csv', path: 'x.csv' })) }, args: evaluate(), expect: /config\.yaml: dataset\.kind: / },
  { name: 'missing models section', group: 'config', files: { 'config.yaml': yamlOf(baseConfig, (c) => delete c.models) }, args: evaluate(), expect: /config\.yaml: models: / },
  { name: 'unknown provider', group: 'config', short: true, files: { 'config.yaml': yamlOf(baseConfig, (c) => (c.models.backbone.provider = 'anthropic')) }, args: evaluate(), expect: /config\.yaml: models\.backbone\.provider: .*openai/ },
  { name: 'openai without key or baseURL', group: 'config', files: { 'config.yaml': yamlOf(baseConfig, (c) => (c.models.backbone = { provider: 'openai', model: 'gpt-4o-mini' })) }, args: evaluate(), expect: /config\.yaml: models\.backbone\.apiKeyEnv: required for provider openai/ },
  { name: 'API key written in the config', group: 'config', files: { 'config.yaml': yamlOf(baseConfig, (c) => (c.models.backbone.apiKey = 'sk-not-a-real-key')) }, args: evaluate(), expect: /config\.yaml: models\.backbone\.apiKey: API keys are never read from config files/ },
  { name: 'temperature out of range', group: 'config', files: { 'config.yaml': yamlOf(baseConfig, (c) => (c.models.backbone.temperature = 5)) }, args: evaluate(), expect: /config\.yaml: models\.backbone\.temperature: / },
  { name: 'baseURL not a URL', group: 'config', files: { 'config.yaml': yamlOf(baseConfig, (c) => (c.models.backbone.baseURL = 'localhost 8080')) }, args: evaluate(), expect: /config\.yaml: models\.backbone\.baseURL: / },
  { name: 'unset API key env var (inline worker)', group: 'config', short: true, files: { 'config.yaml': yamlOf(baseConfig, (c) => (c.models.backbone = { provider: 'openai', model: 'gpt-4o-mini', apiKeyEnv: 'MASPO_NO_SUCH_KEY' })) }, args: evaluate(), expect: /models\.backbone\.apiKeyEnv: environment variable MASPO_NO_SUCH_KEY is not set/ },
  { name: 'no agents', group: 'config', files: { 'config.yaml': yamlOf(baseConfig, (c) => ((c.mas.agents = []), (c.mas.edges = []))) }, args: evaluate(), expect: /config\.yaml: mas\.agents: at least one agent is required/ },
  { name: 'invalid agent id', group: 'config', files: { 'config.yaml': yamlOf(baseConfig, (c) => ((c.mas.agents[0].id = '1st'), (c.mas.edges = ['1st -> b']))) }, args: evaluate(), expect: /config\.yaml: mas\.agents\[0\]\.id: must start with a letter/ },
  { name: 'duplicate agent id', group: 'config', files: { 'config.yaml': yamlOf(baseConfig, (c) => ((c.mas.agents[1].id = 'a'), (c.mas.edges = []))) }, args: evaluate(), expect: /config\.yaml: mas\.agents\[1\]\.id: duplicate agent id 'a'/ },
  { name: 'unknown agent in an edge', group: 'config', short: true, files: { 'config.yaml': yamlOf(baseConfig, (c) => (c.mas.edges = ['a -> c'])) }, args: evaluate(), expect: /config\.yaml: mas\.edges\[0\]\.to: unknown agent 'c'/ },
  { name: 'malformed edge', group: 'config', short: true, files: { 'config.yaml': yamlOf(baseConfig, (c) => (c.mas.edges = ['a => b'])) }, args: evaluate(), expect: /config\.yaml: mas\.edges\[0\]: must look like "solver -> reviewer"/ },
  { name: 'edge object without a target', group: 'config', short: true, files: { 'config.yaml': yamlOf(baseConfig, (c) => (c.mas.edges = [{ from: 'a' }])) }, args: evaluate(), expect: /config\.yaml: mas\.edges\[0\]\.to: / },
  { name: 'self-loop', group: 'config', files: { 'config.yaml': yamlOf(baseConfig, (c) => (c.mas.edges = ['a -> b', 'b -> b'])) }, args: evaluate(), expect: /config\.yaml: mas\.edges\[1\]: self-loop on agent 'b'/ },
  { name: 'cycle', group: 'config', short: true, files: { 'config.yaml': yamlOf(baseConfig, (c) => (c.mas.edges = ['a -> b', 'b -> a'])) }, args: evaluate(), expect: /config\.yaml: mas\.edges: the agent graph has a cycle/ },
  { name: 'missing {{context}} placeholder', group: 'config', short: true, files: { 'config.yaml': yamlOf(baseConfig, (c) => (c.mas.agents[1].prompt = 'Check {{question}}')) }, args: evaluate(), expect: /config\.yaml: mas\.agents\[1\]\.prompt: agent 'b'.*\{\{context\}\}/ },
  { name: 'missing {{question}} placeholder', group: 'config', files: { 'config.yaml': yamlOf(baseConfig, (c) => (c.mas.agents[0].prompt = 'Solve it')) }, args: evaluate(), expect: /config\.yaml: mas\.agents\[0\]\.prompt: agent 'a': missing the \{\{question\}\} placeholder/ },
  { name: 'unknown placeholder', group: 'config', short: true, files: { 'config.yaml': yamlOf(baseConfig, (c) => (c.mas.agents[0].prompt = 'Solve {{question}} for {{user}}')) }, args: evaluate(), expect: /config\.yaml: mas\.agents\[0\]\.prompt: agent 'a': unknown placeholder \{\{user\}\}/ },
  { name: 'unknown preset', group: 'config', files: { 'config.yaml': yamlOf(baseConfig, (c) => (c.mas = { preset: 'star', task: 'math' })) }, args: evaluate(), expect: /config\.yaml: mas\.preset: / },
  { name: 'preset override of an unknown agent', group: 'config', files: { 'config.yaml': yamlOf(baseConfig, (c) => (c.mas = { preset: 'chain', task: 'math', overrides: { ghost: { prompt: 'x {{question}}' } } })) }, args: evaluate(), expect: /config\.yaml: mas\.overrides\.ghost: preset 'chain' has no agent 'ghost'/ },
  { name: 'weights not summing to 1', group: 'config', short: true, files: { 'config.yaml': yamlOf(searchConfig, (c) => (c.optimize.weights = { local: 0.5, lookahead: 0.5, global: 0.5 })) }, args: optimize(), expect: /config\.yaml: optimize\.weights: weights must sum to 1/ },
  { name: 'weight of wrong type', group: 'config', files: { 'config.yaml': yamlOf(searchConfig, (c) => (c.optimize.weights = { local: 'high' })) }, args: optimize(), expect: /config\.yaml: optimize\.weights\.local: / },
  { name: 'K = 0 (beam width)', group: 'config', short: true, files: { 'config.yaml': yamlOf(searchConfig, (c) => (c.optimize.beamWidth = 0)) }, args: optimize(), expect: /config\.yaml: optimize\.beamWidth: beamWidth \(K\) must be at least 1/ },
  { name: 'Ksub = 0', group: 'config', files: { 'config.yaml': yamlOf(searchConfig, (c) => (c.optimize.proposalsPerParent = 0)) }, args: optimize(), expect: /config\.yaml: optimize\.proposalsPerParent: / },
  { name: 'fractional rounds', group: 'config', files: { 'config.yaml': yamlOf(searchConfig, (c) => (c.optimize.rounds = 2.5)) }, args: optimize(), expect: /config\.yaml: optimize\.rounds: / },
  { name: 'batch larger than the pool', group: 'config', short: true, files: { 'config.yaml': yamlOf(searchConfig, (c) => (c.optimize.batchSize = 10)) }, args: optimize(), expect: /config\.yaml: optimize\.batchSize: batchSize \(10\) must not exceed poolSize \(4\)/ },
  { name: 'unknown strategy', group: 'config', files: { 'config.yaml': yamlOf(searchConfig, (c) => (c.optimize.strategy = 'greedy')) }, args: optimize(), expect: /config\.yaml: optimize\.strategy: / },
  { name: 'contradictory switches', group: 'config', files: { 'config.yaml': yamlOf(searchConfig, (c) => ((c.optimize.strategy = 'local-only'), (c.optimize.beamRefresh = true))) }, args: optimize(), expect: /config\.yaml: optimize\.beamRefresh: strategy local-only implies beamRefresh: false/ },
  { name: 'search without a judge model', group: 'config', short: true, files: { 'config.yaml': yamlOf(searchConfig, (c) => delete c.models.judge) }, args: optimize(), expect: /config\.yaml: models\.judge: required when optimize\.strategy is maspo/ },
  { name: 'optimize without an optimize section', group: 'config', short: true, files: { 'config.yaml': yamlOf(baseConfig) }, args: optimize(), expect: /config\.yaml: optimize: this section is required by `maspo optimize`/ },
];

/** Dataset cases: a config reading a broken dataset file. */
const DATASET_CASES: BadInputCase[] = [
  { name: 'broken JSON line', group: 'dataset', short: true, files: { 'config.yaml': jsonlConfig(), 'data.jsonl': jsonlItems(2) + '{"id": "q3", "question": "3+3", answer: 6}\n' }, args: evaluate(), expect: /data\.jsonl:3: invalid JSON/ },
  { name: 'missing answer field', group: 'dataset', short: true, files: { 'config.yaml': jsonlConfig(), 'data.jsonl': jsonlItems(1) + '{"id": "q2", "question": "2+2"}\n' }, args: evaluate(), expect: /data\.jsonl:2: missing field 'answer'/ },
  { name: 'missing id field', group: 'dataset', files: { 'config.yaml': jsonlConfig(), 'data.jsonl': jsonlItems(3) + '{"question": "9+9", "answer": "18"}\n' }, args: evaluate(), expect: /data\.jsonl:4: missing field 'id'/ },
  { name: 'empty question', group: 'dataset', files: { 'config.yaml': jsonlConfig(), 'data.jsonl': '{"id": "q1", "question": "  ", "answer": "1"}\n' }, args: evaluate(), expect: /data\.jsonl:1: field 'question' is empty/ },
  { name: 'question of wrong type', group: 'dataset', files: { 'config.yaml': jsonlConfig(), 'data.jsonl': jsonlItems(1) + '{"id": "q2", "question": {"text": "2+2"}, "answer": "4"}\n' }, args: evaluate(), expect: /data\.jsonl:2: field 'question' must be a string or number/ },
  { name: 'line is not an object', group: 'dataset', files: { 'config.yaml': jsonlConfig(), 'data.jsonl': jsonlItems(1) + '["q2", "2+2", "4"]\n' }, args: evaluate(), expect: /data\.jsonl:2: expected a JSON object/ },
  { name: 'duplicate ids', group: 'dataset', short: true, files: { 'config.yaml': jsonlConfig(), 'data.jsonl': jsonlItems(2) + jsonlItems(1, 2) }, args: evaluate(), expect: /data\.jsonl:3: duplicate id 'q2' \(first on line 2\)/ },
  { name: 'options field not a list', group: 'dataset', files: { 'config.yaml': jsonlConfig({ fields: { id: 'id', options: 'choices' }, grader: 'choice' }), 'data.jsonl': '{"id": "q1", "question": "pick", "answer": "A", "choices": "A) 1 B) 2"}\n' }, args: evaluate(), expect: /data\.jsonl:1: field 'choices' must be a list of strings/ },
  { name: 'JSON array instead of JSON Lines', group: 'dataset', files: { 'config.yaml': jsonlConfig(), 'data.jsonl': `[${jsonlItems(2).trim().split('\n').join(', ')}]\n` }, args: evaluate(), expect: /data\.jsonl:1: expected a JSON object/ },
  { name: 'empty dataset file', group: 'dataset', short: true, files: { 'config.yaml': jsonlConfig(), 'data.jsonl': '' }, args: evaluate(), expect: /data\.jsonl: the dataset has no items/ },
  { name: 'blank-lines-only dataset file', group: 'dataset', files: { 'config.yaml': jsonlConfig(), 'data.jsonl': '\n  \n\n' }, args: evaluate(), expect: /data\.jsonl: the dataset has no items/ },
  { name: 'binary dataset file', group: 'dataset', short: true, files: { 'config.yaml': jsonlConfig(), 'data.jsonl': Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xff, 0xfe]) }, args: evaluate(), expect: /data\.jsonl: binary file/ },
  { name: 'huge line', group: 'dataset', short: true, files: { 'config.yaml': jsonlConfig(), 'data.jsonl': jsonlItems(1) + JSON.stringify({ id: 'q2', question: 'x'.repeat(1_200_000), answer: '1' }) + '\n' }, args: evaluate(), expect: /data\.jsonl:2: line is longer than 1000000 bytes/ },
  { name: 'missing dataset file', group: 'dataset', short: true, files: { 'config.yaml': jsonlConfig({ path: 'nowhere.jsonl' }) }, args: evaluate(), expect: /nowhere\.jsonl: cannot read dataset file \(no such file\)/ },
  { name: 'dataset path is a directory', group: 'dataset', files: { 'config.yaml': jsonlConfig({ path: '.' }) }, args: evaluate(), expect: /: cannot read dataset file \(EISDIR\)/ },
  { name: 'unset env var in the dataset path', group: 'dataset', short: true, files: { 'config.yaml': jsonlConfig({ path: '${MASPO_NO_SUCH_DIR}/x.jsonl' }) }, args: evaluate(), expect: /dataset\.path: environment variable MASPO_NO_SUCH_DIR is not set/ },
  { name: 'code grader on a plain JSONL file', group: 'dataset', files: { 'config.yaml': jsonlConfig({ grader: 'code' }), 'data.jsonl': jsonlItems(2) }, args: evaluate(), expect: /config\.yaml: dataset\.grader: code grading needs each item's tests/ },
  { name: 'benchmark line missing a field', group: 'dataset', short: true, files: { 'config.yaml': yamlOf(baseConfig, (c) => (c.dataset = { kind: 'benchmark', format: 'math-500', path: 'math.jsonl' })), 'math.jsonl': '{"unique_id": "m1", "problem": "1+1", "answer": "2"}\n{"unique_id": "m2", "problem": "2+2"}\n' }, args: evaluate(), expect: /math\.jsonl:2: missing field 'answer'/ },
  { name: 'benchmark option on the wrong format', group: 'dataset', files: { 'config.yaml': yamlOf(baseConfig, (c) => (c.dataset = { kind: 'benchmark', format: 'aqua', path: 'aqua.jsonl', tests: 'et' })) }, args: evaluate(), expect: /config\.yaml: dataset\.tests: only applies to format humaneval-et/ },
  { name: 'pool leaves nothing held out', group: 'dataset', short: true, files: { 'config.yaml': yamlOf(searchConfig, (c) => (c.dataset = { kind: 'jsonl', path: 'data.jsonl', fields: { id: 'id' } })), 'data.jsonl': jsonlItems(3) }, args: optimize(), expect: /config\.yaml: optimize\.poolSize: 4 pool items leave nothing held out/ },
];

/** Command-line cases: unknown commands and flags, bad values, missing files, unknown workflow ids. */
const CLI_CASES: BadInputCase[] = [
  { name: 'unknown command', group: 'cli', short: true, args: () => ['optimise'], expect: /unknown command 'optimise'/ },
  { name: 'unknown option', group: 'cli', short: true, args: () => ['evaluate', '--frobnicate', 'x.yaml'], expect: /unknown option '--frobnicate'/ },
  { name: 'missing argument', group: 'cli', short: true, args: () => ['evaluate'], expect: /missing required argument 'config'/ },
  { name: 'too many arguments', group: 'cli', short: true, files: { 'config.yaml': yamlOf(baseConfig) }, args: (p) => ['evaluate', p('config.yaml'), 'extra.yaml'], expect: /too many arguments/ },
  { name: 'missing config file', group: 'cli', short: true, args: (p) => ['evaluate', p('nope.yaml')], expect: /nope\.yaml: cannot read config \(no such file\)/ },
  { name: 'bad --worker mode', group: 'cli', short: true, files: { 'config.yaml': yamlOf(baseConfig) }, args: (p) => ['evaluate', p('config.yaml'), '--worker', 'remote'], expect: /--worker <mode>.*'remote'/ },
  { name: 'bad worker --concurrency', group: 'cli', short: true, args: () => ['worker', '--concurrency', 'judge=zero'], expect: /--concurrency: expected <role>=<n>/ },
  { name: 'worker --config missing file', group: 'cli', args: (p) => ['worker', '--config', p('absent.yaml')], expect: /absent\.yaml: cannot read config \(no such file\)/ },
  { name: 'plan --question-tokens not a number', group: 'cli', short: true, files: { 'config.yaml': yamlOf(searchConfig) }, args: (p) => ['plan', p('config.yaml'), '--question-tokens', 'many'], expect: /--question-tokens: expected a non-negative number, got 'many'/ },
  { name: 'plan --calibrate missing run record', group: 'cli', files: { 'config.yaml': yamlOf(searchConfig) }, args: (p) => ['plan', p('config.yaml'), '--calibrate', p('pilot.json')], expect: /--calibrate: .*pilot\.json: no such file/ },
  { name: 'plan --calibrate file that is not a run record', group: 'cli', short: true, files: { 'config.yaml': yamlOf(searchConfig), 'prompts.json': '{"a": "Solve {{question}}"}' }, args: (p) => ['plan', p('config.yaml'), '--calibrate', p('prompts.json')], expect: /prompts\.json: not a maspo run record/ },
  { name: 'server --port not a number', group: 'cli', args: () => ['server', '--port', 'http'], expect: /argument 'http' is invalid\. --port must be a port number from 1 to 65535/ },
  { name: 'server --ui-port out of range', group: 'cli', short: true, args: () => ['server', '--ui-port', '70000'], expect: /argument '70000' is invalid\. --ui-port must be a port number from 1 to 65535/ },
  { name: 'sim serve --port negative', group: 'cli', short: true, args: () => ['sim', 'serve', '--port', '-5'], expect: /argument '-5' is invalid\. --port must be a port number from 0 to 65535/ },
  { name: 'sim serve --world invalid JSON', group: 'cli', args: () => ['sim', 'serve', '--world', '{seed: 7'], expect: /--world: invalid JSON/ },
  { name: 'sim serve --world bad field', group: 'cli', args: () => ['sim', 'serve', '--world', '{"seed": -1}'], expect: /--world: sim\.seed: / },
  { name: 'evaluate --prompts missing file', group: 'cli', files: { 'config.yaml': yamlOf(baseConfig) }, args: (p) => ['evaluate', p('config.yaml'), '--prompts', p('best.json')], expect: /best\.json: no such file/ },
  { name: 'evaluate --prompts invalid JSON', group: 'cli', files: { 'config.yaml': yamlOf(baseConfig), 'best.json': '{"a": "Solve {{question}}",' }, args: (p) => ['evaluate', p('config.yaml'), '--prompts', p('best.json')], expect: /best\.json: invalid JSON/ },
  { name: 'evaluate --prompts unknown agent', group: 'cli', short: true, files: { 'config.yaml': yamlOf(baseConfig), 'best.json': '{"z": "Solve {{question}}"}' }, args: (p) => ['evaluate', p('config.yaml'), '--prompts', p('best.json')], expect: /best\.json: z: unknown agent \(agents: a, b\)/ },
  { name: 'evaluate --prompts breaks a template', group: 'cli', files: { 'config.yaml': yamlOf(baseConfig), 'best.json': '{"b": "Check {{question}}"}' }, args: (p) => ['evaluate', p('config.yaml'), '--prompts', p('best.json')], expect: /best\.json: b: the agent has predecessors but its prompt has no \{\{context\}\}/ },
  { name: 'compare without --b', group: 'cli', files: { 'config.yaml': yamlOf(baseConfig) }, args: (p) => ['compare', p('config.yaml'), '--a', 'seed'], expect: /required option '--b <seed\|file>' not specified/ },
  { name: 'compare with a missing prompts file', group: 'cli', files: { 'config.yaml': yamlOf(baseConfig) }, args: (p) => ['compare', p('config.yaml'), '--a', 'seed', '--b', p('gone.json')], expect: /gone\.json: no such file/ },
  { name: 'experiment grid with a bad variant', group: 'cli', files: { 'config.yaml': yamlOf(searchConfig), 'grid.yaml': stringify({ base: 'config.yaml', variants: [{ name: 'k0', optimize: { beamWidth: 0 } }] }) }, args: (p) => ['experiment', p('grid.yaml')], expect: /grid\.yaml: variant 'k0': optimize\.beamWidth: / },
  { name: 'experiment grid with a missing base', group: 'cli', files: { 'grid.yaml': stringify({ base: 'missing.yaml', variants: [{ name: 'v' }] }) }, args: (p) => ['experiment', p('grid.yaml')], expect: /missing\.yaml: cannot read config \(no such file\)/ },
  { name: 'MASPO_PAYLOAD_THRESHOLD not a number', group: 'cli', short: true, env: { MASPO_PAYLOAD_THRESHOLD: '16k' }, files: { 'config.yaml': yamlOf(baseConfig) }, args: (p) => ['evaluate', p('config.yaml')], expect: /MASPO_PAYLOAD_THRESHOLD: expected a whole number of bytes .*got '16k'/ },
  { name: 'empty workflow id', group: 'cli', short: true, args: () => ['status', ''], expect: /<workflowId>: a workflow id must not be empty/ },
  { name: 'empty --id', group: 'cli', files: { 'config.yaml': yamlOf(baseConfig) }, args: (p) => ['evaluate', p('config.yaml'), '--id', ' '], expect: /--id: a workflow id must not be empty/ },
  { name: '--id longer than the server accepts', group: 'cli', short: true, files: { 'config.yaml': yamlOf(searchConfig) }, args: (p) => ['optimize', p('config.yaml'), '--id', 'x'.repeat(1200)], expect: /--id: a workflow id must be at most 1000 bytes, got 1200/ },
  { name: 'status of an unknown workflow id', group: 'cli', short: true, needsServer: true, args: () => ['status', 'optimize-no-such-run'], expect: /workflow not found for ID: optimize-no-such-run/ },
  { name: 'result of an unknown workflow id', group: 'cli', needsServer: true, args: () => ['result', 'optimize-no-such-run'], expect: /workflow not found for ID: optimize-no-such-run/ },
  { name: 'pause an unknown workflow id', group: 'cli', short: true, needsServer: true, args: () => ['pause', 'optimize-no-such-run'], expect: /workflow not found for ID: optimize-no-such-run/ },
  { name: 'resume an unknown workflow id', group: 'cli', needsServer: true, args: () => ['resume', 'optimize-no-such-run'], expect: /workflow not found for ID: optimize-no-such-run/ },
  { name: 'stop an unknown workflow id', group: 'cli', needsServer: true, args: () => ['stop', 'optimize-no-such-run'], expect: /workflow not found for ID: optimize-no-such-run/ },
];

export const BAD_INPUT_CASES: readonly BadInputCase[] = [...CONFIG_CASES, ...DATASET_CASES, ...CLI_CASES];
