/**
 * Custom search attributes, so runs can be filtered in the Temporal UI and CLI
 * (e.g. `MaspoDataset="math-500" AND MaspoStatus="completed"`). The embedded dev server registers them at
 * start; on a real cluster `maspo server register-search-attributes` (or docker-compose's namespace job) does.
 */
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';

export const SA_KIND = defineSearchAttributeKey('MaspoKind', SearchAttributeType.KEYWORD); // evaluate | optimize
export const SA_RUN = defineSearchAttributeKey('MaspoRun', SearchAttributeType.KEYWORD); // config name
export const SA_DATASET = defineSearchAttributeKey('MaspoDataset', SearchAttributeType.KEYWORD);
export const SA_TOPOLOGY = defineSearchAttributeKey('MaspoTopology', SearchAttributeType.KEYWORD);
export const SA_STATUS = defineSearchAttributeKey('MaspoStatus', SearchAttributeType.KEYWORD); // running | completed | failed | …
export const SA_STRATEGY = defineSearchAttributeKey('MaspoStrategy', SearchAttributeType.KEYWORD);
export const SA_SCORE = defineSearchAttributeKey('MaspoScore', SearchAttributeType.DOUBLE); // accuracy or best score
export const SA_SPEND = defineSearchAttributeKey('MaspoSpend', SearchAttributeType.DOUBLE); // dollars
/** A fork (`maspo fork`): the run it was forked from, and the round it started at. */
export const SA_FORK_OF = defineSearchAttributeKey('MaspoForkOf', SearchAttributeType.KEYWORD);
export const SA_FORK_ROUND = defineSearchAttributeKey('MaspoForkRound', SearchAttributeType.INT);

export const ALL_SEARCH_ATTRIBUTES = [SA_KIND, SA_RUN, SA_DATASET, SA_TOPOLOGY, SA_STATUS, SA_STRATEGY, SA_SCORE, SA_SPEND, SA_FORK_OF, SA_FORK_ROUND];

/** `Name=Type` pairs as `temporal server start-dev --search-attribute` and `operator search-attribute create` take them. */
export function searchAttributeFlags(): Array<{ name: string; type: 'Keyword' | 'Double' | 'Int' | 'Text' | 'Bool' }> {
  const names: Partial<Record<SearchAttributeType, 'Double' | 'Int'>> = { [SearchAttributeType.DOUBLE]: 'Double', [SearchAttributeType.INT]: 'Int' };
  return ALL_SEARCH_ATTRIBUTES.map((k) => ({ name: k.name, type: names[k.type] ?? 'Keyword' }));
}

/** The attributes a job starts with (status `running`); the workflow itself updates status and score later. */
export function startingAttributes(job: { kind: string; run: string; dataset: string; topology: string; strategy?: string }): SearchAttributePair[] {
  return [
    { key: SA_KIND, value: job.kind },
    { key: SA_RUN, value: job.run },
    { key: SA_DATASET, value: job.dataset },
    { key: SA_TOPOLOGY, value: job.topology },
    ...(job.strategy ? [{ key: SA_STRATEGY, value: job.strategy }] : []),
    { key: SA_STATUS, value: 'running' },
  ];
}
