/**
 * The chaos suite's one table — scenario, trials, passed, figures — printed and written to
 * bench/results/chaos/latest.md (with the date and the command) and latest.json (the same rows with details);
 * `--quick` and `--only` runs write partial.md / partial.json instead, so they never replace a full run's table.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface ScenarioRow {
  /** Issue 5's scenario number. */
  id: number;
  scenario: string;
  status: 'pass' | 'fail' | 'not run';
  trials: number;
  passed: number;
  /** One line of measured figures. */
  figures: string;
  /** Why trials failed (empty when all passed). */
  failures: string[];
  ms: number;
  details?: unknown;
}

/** Builds a row from trial outcomes: passes when every trial passed and there was at least one. */
export function rowOf(id: number, scenario: string, trials: Array<{ ok: boolean; why?: string }>, figures: string, ms: number, details?: unknown): ScenarioRow {
  const passed = trials.filter((t) => t.ok).length;
  return {
    id,
    scenario,
    status: trials.length > 0 && passed === trials.length ? 'pass' : 'fail',
    trials: trials.length,
    passed,
    figures,
    failures: trials.filter((t) => !t.ok).map((t) => t.why ?? 'failed'),
    ms,
    details,
  };
}

export function notRunRow(id: number, scenario: string, why: string): ScenarioRow {
  return { id, scenario, status: 'not run', trials: 0, passed: 0, figures: why, failures: [], ms: 0 };
}

export function errorRow(id: number, scenario: string, err: unknown, ms: number): ScenarioRow {
  const message = err instanceof Error ? err.message : String(err);
  return { id, scenario, status: 'fail', trials: 1, passed: 0, figures: `aborted: ${message.split('\n')[0]}`, failures: [message], ms };
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

export function markdownTable(rows: ScenarioRow[]): string {
  const lines = ['| # | scenario | trials | passed | figures |', '|---|---|---|---|---|'];
  for (const r of [...rows].sort((a, b) => a.id - b.id)) {
    const passed = r.status === 'not run' ? 'not run' : `${r.passed}/${r.trials}${r.status === 'pass' ? ' ✓' : ' ✗'}`;
    lines.push(`| ${r.id} | ${cell(r.scenario)} | ${r.trials} | ${passed} | ${cell(r.figures)} |`);
  }
  return lines.join('\n');
}

export interface ReportMeta {
  date: string;
  command: string;
  quick: boolean;
  elapsedMs: number;
  node: string;
}

export const RESULTS_DIR = path.resolve(__dirname, '..', 'results', 'chaos');

/** Writes `<name>.md` and `<name>.json` under `dir`; returns the markdown. */
export function writeReport(rows: ScenarioRow[], meta: ReportMeta, name = 'latest', dir = RESULTS_DIR): string {
  fs.mkdirSync(dir, { recursive: true });
  const failures = rows.flatMap((r) => r.failures.map((f) => `- scenario ${r.id} (${r.scenario}): ${f}`));
  const md = [
    `# Chaos suite (issue 5)`,
    '',
    `${meta.date} · \`${meta.command}\`${meta.quick ? ' (quick: fewer trials)' : ''} · ${(meta.elapsedMs / 60_000).toFixed(1)} min · node ${meta.node}`,
    '',
    markdownTable(rows),
    ...(failures.length ? ['', '## Failures', '', ...failures] : []),
    '',
  ].join('\n');
  fs.writeFileSync(path.join(dir, `${name}.md`), md);
  fs.writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify({ ...meta, rows }, null, 2)}\n`);
  return md;
}
