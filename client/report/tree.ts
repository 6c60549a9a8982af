/**
 * One agent's beam lineage as an inline SVG tree: a column per step of the agent (the seed first), a node per
 * prompt that entered the search (filled when it entered a beam, hollow when it was cut at once), grey crosses for
 * rejected candidates (R ≤ 0), and the path from the seed to the winning prompt drawn in the accent colour.
 */
import type { RunRecord } from '../../core/contracts/run-record';
import { html, type Safe } from './html';
import type { AgentLineage, LineageNode, RejectedCandidate } from './lineage';

const COL_W = 92;
const ROW_H = 42;
const TOP = 46;
const LEFT = 34;
const ACCENT = '#c2410c';
const BEAM = '#1c64d4';

const preview = (s: string, n = 280) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const signed = (x: number | null) => (x === null ? 'identical (not evaluated)' : `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(3)}`);

export function lineageTree(lineage: AgentLineage, record: RunRecord): Safe {
  const cols = lineage.steps.map((s) => s.workflowId);
  const colOf = (workflowId?: string) => (workflowId ? cols.indexOf(workflowId) + 1 : 0);
  const refreshed = new Set(record.units.filter((u) => u.kind === 'refresh' && u.agentId === lineage.agentId).map((u) => u.round));

  // Rows: left to right, each column ordered by its parents' rows, then by J (nodes) before rejected candidates.
  const pos = new Map<string, { x: number; y: number }>();
  const rejectedPos: Array<{ c: RejectedCandidate; x: number; y: number }> = [];
  let rows = 1;
  for (let col = 0; col <= cols.length; col++) {
    const nodes = lineage.nodes.filter((n) => colOf(n.createdBy?.workflowId) === col);
    const rejected = col === 0 ? [] : lineage.rejected.filter((r) => r.round === lineage.steps[col - 1].round && r.step === lineage.steps[col - 1].step);
    const parentRow = (id: string | null) => (id && pos.has(id) ? pos.get(id)!.y : 0);
    // The winning lineage has the top lane to itself (at most one of its nodes per column), so its edges run
    // straight and nothing is drawn across them; the other nodes, then the rejected candidates, fill the rows below.
    const onPath = nodes.find((n) => n.onBestPath);
    const others = nodes.filter((n) => n !== onPath).sort((a, b) => parentRow(a.parentId) - parentRow(b.parentId) || b.J - a.J);
    rejected.sort((a, b) => parentRow(a.parentId) - parentRow(b.parentId));
    const x = LEFT + col * COL_W;
    if (onPath) pos.set(onPath.id, { x, y: TOP });
    others.forEach((n, i) => pos.set(n.id, { x, y: TOP + (i + 1) * ROW_H }));
    rejected.forEach((c, i) => rejectedPos.push({ c, x, y: TOP + (others.length + 1 + i) * ROW_H }));
    rows = Math.max(rows, others.length + 1 + rejected.length);
  }
  const W = LEFT + cols.length * COL_W + 70;
  const H = TOP + rows * ROW_H + 4;

  const edge = (from: { x: number; y: number }, to: { x: number; y: number }, cls: string) =>
    html`<path class="${cls}" d="M${from.x + 8},${from.y} C${(from.x + to.x) / 2},${from.y} ${(from.x + to.x) / 2},${to.y} ${to.x - 8},${to.y}"/>`;
  const edges = [
    ...lineage.nodes.flatMap((n) => {
      const p = n.parentId ? pos.get(n.parentId) : undefined;
      const me = pos.get(n.id);
      if (!p || !me) return [];
      const parent = lineage.nodes.find((x) => x.id === n.parentId);
      return [edge(p, me, n.onBestPath && parent?.onBestPath ? 'edge edge-best' : 'edge')];
    }),
    ...rejectedPos.flatMap(({ c, x, y }) => {
      const p = pos.get(c.parentId);
      return p ? [edge(p, { x, y }, 'edge edge-rejected')] : [];
    }),
  ];

  const headers = lineage.steps.map((s, i) => {
    const x = LEFT + (i + 1) * COL_W;
    const first = i === 0 || lineage.steps[i - 1].round !== s.round;
    return html`${first ? html`<line class="round-rule" x1="${x - COL_W / 2}" x2="${x - COL_W / 2}" y1="6" y2="${H}"/><text class="round-label" x="${x - COL_W / 2 + 4}" y="14">round ${s.round}${refreshed.has(s.round) ? ' · refresh' : ''}</text>` : ''}<text class="col-label" x="${x}" y="30" text-anchor="middle">step ${s.step}</text>`;
  });

  const nodeMark = (n: LineageNode) => {
    const p = pos.get(n.id);
    if (!p) return '';
    const cls = n.onBestPath ? 'node node-best' : n.inBeam ? 'node node-beam' : 'node node-pruned';
    const isSeed = n.parentId === null;
    const tip = [
      `${n.id}${isSeed ? ' (seed)' : ` · round ${n.round} step ${n.step}`}`,
      isSeed ? '' : `R ${signed(n.R)} · J ${n.J.toFixed(3)}`,
      n.scored?.misalignmentRate !== undefined && n.scored?.misalignmentRate !== null ? `misalignment rate ${(100 * n.scored.misalignmentRate).toFixed(0)}%` : '',
      n.onBestPath ? 'on the winning lineage' : n.inBeam ? 'entered the beam' : 'cut from the beam at once',
      '',
      preview(n.prompt),
    ].filter((l, i) => l !== '' || i === 4).join('\n');
    return html`<g class="${cls}"><circle cx="${p.x}" cy="${p.y}" r="8" fill="${n.onBestPath ? ACCENT : n.inBeam ? BEAM : '#fff'}" stroke="${n.onBestPath ? ACCENT : BEAM}" stroke-width="2"><title>${tip}</title></circle><text class="node-label" x="${p.x}" y="${p.y + 21}" text-anchor="middle">${isSeed ? 'J 0' : `${n.id.slice(n.id.lastIndexOf('#'))} J ${n.J.toFixed(2)}`}</text></g>`;
  };
  const rejectedMark = ({ c, x, y }: { c: RejectedCandidate; x: number; y: number }) =>
    html`<g class="node node-rejected"><path d="M${x - 4},${y - 4} L${x + 4},${y + 4} M${x - 4},${y + 4} L${x + 4},${y - 4}" stroke="#adb5bd" stroke-width="2"><title>${`rejected candidate from ${c.parentId} · round ${c.round} step ${c.step}\nR ${signed(c.R)}\n\n${preview(c.prompt)}`}</title></path><text class="node-label muted" x="${x}" y="${y + 19}" text-anchor="middle">${c.R === null ? '=' : `R ${c.R.toFixed(2)}`}</text></g>`;

  return html`<svg class="chart lineage-tree" role="img" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg"><title>${`Beam lineage of ${lineage.agentId}`}</title>${headers}<text class="col-label" x="${LEFT}" y="30" text-anchor="middle">seed</text>${edges}${lineage.nodes.map(nodeMark)}${rejectedPos.map(rejectedMark)}</svg>`;
}
