/**
 * The real-model scenario's search: a reduced MASPO search (D=1, T=1, K=2, Ksub=2, |B|=4, |D|=8; plan.ts) with every
 * role on ONE catalogue model of the managed llama.cpp server (`provider: local`), on the simulator's generated word
 * problems as plain text (no simulator answers anything; no data files needed). What it measures is load, not
 * accuracy: whether the search keeps the server's S slots busy, S being the roles' concurrency summed (the worker
 * sizes the server that way: workers/worker.ts `slotDemand`).
 *
 * Replies are kept short (small models ramble to their token limit) and the parsers tolerant (small judges write a
 * bare verdict, small optimizers cut a prompt off), as in examples/local-aqua-chain.yaml.
 */
import type { ModelRole } from '../../core/contracts/llm';
import type { Raw } from './scenario';

/** The default model: the smallest in the catalogue (CI's, 98 MB), so the run stays within minutes on 2 cores. */
export const DEFAULT_REAL_MODEL = 'smollm2-135m-instruct';

/**
 * Per role: concurrent calls (= the role's slots on the shared server) and the longest reply. S = 4 = |B|: the
 * baselines alone (|B| items at a time, the chain's agents one after another) could keep every slot busy, so a
 * scheduler that lets any role use any free slot can meet the target, one that partitions the slots by role cannot.
 */
export const REAL_ROLES: Record<ModelRole, { concurrency: number; maxTokens: number }> = {
  backbone: { concurrency: 2, maxTokens: 192 },
  optimizer: { concurrency: 1, maxTokens: 384 },
  judge: { concurrency: 1, maxTokens: 192 },
};

/** S: the server's slots. */
export const REAL_SLOTS = Object.values(REAL_ROLES).reduce((n, r) => n + r.concurrency, 0);

/** A slot must hold the longest reply; the provider sizes its servers for at least 1,024 tokens (local/index.ts). */
export const REAL_MAX_TOKENS = Math.max(1024, ...Object.values(REAL_ROLES).map((r) => r.maxTokens));

/** The config's `models:` with every role on `model`. */
export function localModels(paper: Raw, model: string): Raw {
  const models: Raw = {};
  for (const role of Object.keys(REAL_ROLES) as ModelRole[]) {
    models[role] = {
      provider: 'local',
      model,
      temperature: paper.models[role].temperature,
      maxTokens: REAL_ROLES[role].maxTokens,
      concurrency: REAL_ROLES[role].concurrency,
      timeoutMs: 600_000,
      // The judge's reply ends at its verdict.
      ...(role === 'judge' ? { extraBody: { stop: ['</choose>'] } } : {}),
    };
  }
  return models;
}

/** `optimize:` settings a small model needs to produce any usable verdict or proposal at all. */
export const REAL_OPTIMIZE_SETTINGS: Raw = { verdictParsing: 'tolerant', proposalParsing: 'tolerant' };
