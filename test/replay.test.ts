/**
 * Recorded histories (test/histories/*.json, from record.sh) must replay against the current workflow code
 * without a server: a change that would break running workflows fails here (TMPRL1100 nondeterminism).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';

const dir = path.join(__dirname, 'histories');

test('recorded evaluation histories replay deterministically', async () => {
  const histories = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({ workflowId: f.replace(/\.json$/, ''), history: JSON.parse(readFileSync(path.join(dir, f), 'utf8')) }));
  expect(histories.length).toBeGreaterThanOrEqual(3);
  const failures: string[] = [];
  for await (const r of Worker.runReplayHistories({ workflowsPath: require.resolve('../workflows'), replayName: 'replay-test' }, histories)) {
    if (r.error) failures.push(`${r.workflowId}: ${r.error.message}`);
  }
  expect(failures).toEqual([]);
}, 60_000);
