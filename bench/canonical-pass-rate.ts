/**
 * Runs every reference solution of MBPP and HumanEval-ET through the code grader (the same sandbox the
 * evaluation uses) and prints the pass rates with each failure's reason. Checks the graders and the dataset
 * files, not a model.
 *
 *   npx tsx bench/canonical-pass-rate.ts [dataDir]      (default: $MASPO_DATA_DIR)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseBenchmark, type BenchmarkItem } from '../datasets/benchmarks';
import { sandboxNotes } from '../activities/graders/code';
import { gradeOutput } from '../activities/graders/grade';
import { BENCHMARK_DEFAULT_PATHS } from '../core/schema/config';
import type { BenchmarkFormat, HumanEvalTests } from '../core/contracts/dataset';

const CONCURRENCY = 4;

async function passRate(dataDir: string, format: BenchmarkFormat, tests?: HumanEvalTests): Promise<void> {
  const file = path.join(dataDir, BENCHMARK_DEFAULT_PATHS[format]);
  const items = parseBenchmark(format, file, readFileSync(file), { tests });
  const failures: string[] = [];
  let next = 0;
  const started = Date.now();
  const worker = async () => {
    while (next < items.length) {
      const item: BenchmarkItem = items[next++];
      const g = await gradeOutput('code', item, `\`\`\`python\n${item.answer}\n\`\`\``);
      if (!g.correct) failures.push(`  ${item.id}: ${g.detail}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const label = `${format}${tests ? ` (tests: ${tests})` : ''}`;
  console.log(`${label}: ${items.length - failures.length}/${items.length} pass (${(((items.length - failures.length) / items.length) * 100).toFixed(1)}%) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  for (const f of failures.sort()) console.log(f);
}

async function main(): Promise<void> {
  const dataDir = process.argv[2] ?? process.env.MASPO_DATA_DIR;
  if (!dataDir) throw new Error('usage: npx tsx bench/canonical-pass-rate.ts <dataDir>  (or set MASPO_DATA_DIR)');
  console.log(`sandbox:\n  ${(await sandboxNotes()).join('\n  ')}\n`);
  await passRate(dataDir, 'mbpp');
  await passRate(dataDir, 'humaneval-et', 'check');
  await passRate(dataDir, 'humaneval-et', 'et');
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
