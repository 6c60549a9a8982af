/**
 * Recorded histories (test/histories/*.json, from record.sh: an evaluation and a small search) must replay against the current workflow code
 * without a server: a change that would break running workflows fails here (TMPRL1100 nondeterminism).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';

const dir = path.join(__dirname, 'histories');

test('recorded evaluation and search histories replay deterministically', async () => {
  const histories = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    // File names are `<url-encoded workflow id>@<run id prefix>.json`: child ids derive from the real workflow id.
    .map((f) => ({ workflowId: decodeURIComponent(f.split('@')[0]), history: JSON.parse(readFileSync(path.join(dir, f), 'utf8')) }));
  // the evaluation (parent + batches) and the search (both executions of the run, rounds, steps, candidates, refreshes)
  expect(histories.filter((h) => h.workflowId.startsWith('replay-search/round-')).length).toBeGreaterThanOrEqual(10);
  const failures: string[] = [];
  for await (const r of Worker.runReplayHistories({ workflowsPath: require.resolve('../workflows'), replayName: 'replay-test' }, histories)) {
    if (r.error) failures.push(`${r.workflowId}: ${r.error.message}`);
  }
  expect(failures).toEqual([]);
}, 60_000);
