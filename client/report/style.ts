/** The report's one inline stylesheet (no external fonts or assets: the file must render offline). */
export const REPORT_CSS = `
:root { --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --bg: #ffffff; --panel: #f6f8fa; --accent: #c2410c; --beam: #1c64d4; --ins: #dafbe1; --del: #ffebe9; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 60px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 34px 0 10px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 22px 0 8px; }
small, .muted { color: var(--muted); }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
pre { white-space: pre-wrap; word-break: break-word; margin: 0; }
nav.toc { margin: 12px 0 0; display: flex; flex-wrap: wrap; gap: 6px 14px; font-size: 13px; }
nav.toc a { color: var(--beam); text-decoration: none; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; font-size: 13px; margin-top: 10px; }
.meta dt { color: var(--muted); }
.meta dd { margin: 0; }
.note { background: #fff8c5; border: 1px solid #e3d38a; border-radius: 6px; padding: 8px 12px; margin: 12px 0; font-size: 13px; }
.problem { background: var(--del); border: 1px solid #f3b5ae; border-radius: 6px; padding: 8px 12px; margin: 12px 0; font-size: 13px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 12px; margin: 18px 0 6px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; background: var(--panel); }
.card .label { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.card .value { font-size: 22px; font-weight: 600; margin-top: 2px; }
.card .sub { font-size: 12px; color: var(--muted); }
figure { margin: 8px 0 4px; overflow-x: auto; }
figcaption { font-size: 12.5px; color: var(--muted); margin-top: 4px; max-width: 900px; }
table { border-collapse: collapse; font-size: 12.5px; margin: 8px 0; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: right; vertical-align: top; }
th { background: var(--panel); font-weight: 600; }
td.l, th.l { text-align: left; }
tr.total td { font-weight: 600; background: var(--panel); }
.agent { margin-top: 10px; }
.evo { border-left: 3px solid var(--line); padding-left: 14px; margin: 10px 0; }
.evo.best { border-left-color: var(--accent); }
.evo-head { font-size: 13px; margin-bottom: 6px; }
.evo-head b { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.prompt { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; }
ins { background: var(--ins); text-decoration: none; color: #116329; }
del { background: var(--del); color: #a40e26; }
.pill { display: inline-block; font-size: 11.5px; padding: 0 7px; border-radius: 10px; border: 1px solid var(--line); background: #fff; margin-right: 4px; }
.pill.win { border-color: #8fd19e; } .pill.loss { border-color: #f3b5ae; }
details { margin: 6px 0; }
summary { cursor: pointer; font-size: 13px; }
.cases { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 10px; margin-top: 6px; }
.case { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; font-size: 12.5px; }
.case-head { font-weight: 600; margin-bottom: 4px; }
.case dl { margin: 0; }
.case dt { color: var(--muted); margin-top: 4px; }
.case dd { margin: 0; max-height: 150px; overflow: auto; }
.legend-inline span { margin-right: 14px; font-size: 12px; }
.legend-inline i { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 4px; vertical-align: -1px; }
svg.chart { max-width: 100%; height: auto; font: 11px -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
svg .grid { stroke: #e9ecef; }
svg .axis { stroke: #868e96; }
svg .zero { stroke: #495057; stroke-dasharray: 4 3; }
svg .tick, svg .col-label, svg .node-label, svg .bar-note { fill: #656d76; }
svg .axis-label, svg .round-label, svg .band-label, svg .bar-label, svg .bar-value, svg .bar-total { fill: #1f2328; }
svg .bar-value { font-weight: 600; font-size: 13px; }
svg .bar-label { font-size: 13px; }
svg .legend-item text { fill: #1f2328; }
svg .whisker { stroke: #1f2328; stroke-width: 1.5; }
svg .edge { fill: none; stroke: #adc3ea; stroke-width: 1.5; }
svg .edge-best { stroke: var(--accent); stroke-width: 2.5; }
svg .edge-rejected { stroke: #dee2e6; stroke-dasharray: 3 3; }
svg .round-rule { stroke: #ced4da; stroke-dasharray: 4 4; }
svg .round-label { font-weight: 600; }
.meter { display: inline-block; width: 46px; height: 8px; background: #e9ecef; border-radius: 4px; margin-right: 6px; vertical-align: 0; overflow: hidden; }
.meter i { display: block; height: 100%; background: #868e96; }
.meter i.up { background: #2f9e44; } .meter i.down { background: #e03131; }
td.na { color: var(--muted); text-align: center; }
.split { display: inline-flex; width: 220px; height: 12px; border-radius: 3px; overflow: hidden; background: #f1f3f5; vertical-align: -1px; }
.split i { display: block; height: 100%; }
.split .agree { background: #ced4da; } .split .hurt { background: #d9480f; } .split .helped { background: #1c7ed6; }
.legend-inline i { border-radius: 2px; }
footer { margin-top: 40px; font-size: 12px; color: var(--muted); border-top: 1px solid var(--line); padding-top: 10px; }
@media print { nav.toc { display: none; } details { display: block; } }
`;
