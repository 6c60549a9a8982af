/**
 * Kept only for activities/llm/providers/local/index.ts (owned by other work in progress), which still imports
 * `core/llm`: the provider boundary types live in core/contracts/llm.ts. Delete once that import is updated.
 */
export type * from './contracts/llm';
