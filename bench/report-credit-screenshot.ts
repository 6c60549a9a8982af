/**
 * Produces docs/img/report-credit.png, the README's picture of the report's credit section: reads an exported run
 * record, renders the section alone styled like the report (client/report/credit.ts `creditPage`) and screenshots
 * it with headless Chromium (CHROMIUM_PATH, else chromium / chromium-browser / google-chrome on PATH). The picture in
 * the README is of examples/sim-trap.yaml on the simulator:
 *
 *   npx maspo optimize examples/sim-trap.yaml --id trap && npx maspo export trap -o run.json
 *   npx tsx bench/report-credit-screenshot.ts run.json            # [out.png], default docs/img/report-credit.png
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCredit } from '../core/contracts/run-record-credit';
import { creditPage } from '../client/report/credit';
import { readRunRecord } from '../client/run-record';

function chromium(): string {
  const own = process.env.CHROMIUM_PATH?.trim();
  if (own) return own;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8' }).trim();
    } catch {
      // not on PATH: try the next name
    }
  }
  throw new Error('report-credit-screenshot: no Chromium found (set CHROMIUM_PATH)');
}

async function main(): Promise<void> {
  const [recordFile, out = 'docs/img/report-credit.png'] = process.argv.slice(2);
  if (!recordFile) throw new Error('usage: npx tsx bench/report-credit-screenshot.ts run.json [out.png]');
  const credit = runCredit(await readRunRecord(recordFile));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'maspo-credit-'));
  const page = path.join(dir, 'credit.html');
  writeFileSync(page, creditPage(credit));
  // Tall enough for every row: headings and captions, then ~28 px per table row (an agent-round, a total, an edge).
  const rows = credit.agents.reduce((n, a) => n + a.byRound.length + (a.byRound.length > 1 ? 1 : 0), 0) + credit.edges.length;
  const height = 410 + 28 * rows;
  execFileSync(chromium(), ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--user-data-dir=${path.join(dir, 'profile')}`, `--window-size=1180,${height}`, `--screenshot=${path.resolve(out)}`, `file://${page}`], { stdio: 'ignore', timeout: 90_000 });
  console.log(`${out} (1180×${height}) from ${recordFile}: ${rows} rows`);
}

main().catch((e: unknown) => {
  console.error((e as Error).message);
  process.exitCode = 1;
});
