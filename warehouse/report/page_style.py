"""The report page's stylesheet, inlined in the page: system fonts only, status colours, a table of contents on
screen; on paper A4 landscape (the charts' full width, so their text keeps its size), each section from a new page,
no navigation, type no smaller than on screen."""

STYLE = """
:root{--ink:#1b2533;--muted:#5d6b7c;--line:#d8dee7;--paper:#fff;--bg:#eef2f6;--navy:#123a66;
--met:#1d7f46;--on_track:#2470b3;--off_track:#c4462a;--cannot_tell:#a8660b;--neutral:#56677d;--muted-bar:#b8c2cf}
*{box-sizing:border-box}
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{margin:0;background:var(--bg);color:var(--ink);
font:14px/1.45 "Segoe UI","Noto Sans","DejaVu Sans","Helvetica Neue",Arial,sans-serif}
.report{max-width:1060px;margin:0 auto 40px;background:var(--paper);box-shadow:0 1px 4px rgba(0,0,0,.12)}
.cover{background:var(--navy);color:#fff;padding:28px 40px 24px;border-bottom:5px solid #d9a21b}
.cover .kicker{margin:0 0 6px;text-transform:uppercase;letter-spacing:.08em;font-size:12px;opacity:.85}
.cover h1{margin:0 0 8px;font-size:24px;line-height:1.3;font-weight:700}
.cover .programme,.cover .meta{margin:2px 0;font-size:13px;opacity:.9}
section,footer.notes{padding:18px 40px 8px}
nav.contents{padding:14px 40px 12px;background:#f4f7fb;border-bottom:1px solid var(--line)}
nav.contents h2{margin:0 0 8px}
nav.contents ol{list-style:none;margin:0;padding:0}
nav.contents>ol{display:flex;flex-wrap:wrap;gap:4px 22px}
nav.contents>ol>li{font-weight:600}
nav.contents ol.cards{flex-basis:100%;display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));
gap:2px 18px;margin:4px 0 6px 18px;font-weight:400;font-size:13px}
nav.contents>ol>li:has(ol.cards){flex-basis:100%}
nav.contents a{color:var(--navy);text-decoration:none}nav.contents a:hover{text-decoration:underline}
nav.contents small{display:inline;margin-left:6px}
.to-contents{float:right;font-size:12px;font-weight:400;color:var(--muted);text-decoration:none;margin-top:5px}
h2{font-size:19px;color:var(--navy);border-bottom:2px solid var(--navy);padding-bottom:4px;margin:10px 0 14px}
h2 .num{color:#d9a21b}
h3{font-size:15px;margin:18px 0 8px}
small{display:block;color:var(--muted);font-size:11.5px;font-weight:400}
.tiles,.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px}
.tile,.figure{border:1px solid var(--line);border-radius:6px;padding:10px 12px;display:flex;flex-direction:column;
border-left:5px solid var(--neutral)}
.tile .big,.figure .big{font-size:24px;font-weight:700;line-height:1.2}
.figure{border-left-color:var(--navy)}.figure .big .suppressed{font-size:17px}
.tile.status-met{border-left-color:var(--met)}.tile.status-on_track{border-left-color:var(--on_track)}
.tile.status-off_track{border-left-color:var(--off_track)}.tile.status-cannot_tell{border-left-color:var(--cannot_tell)}
.tile.status-suppressed,.tile.status-no_data,.tile.status-no_denominator{border-left-color:var(--muted-bar)}
table{border-collapse:collapse;width:100%;margin:6px 0 14px;font-size:13px}
table.compact{width:auto;min-width:420px}
table.indicators{table-layout:fixed}
table.indicators th:nth-child(1){width:6%}table.indicators th:nth-child(2){width:33%}
table.indicators th:nth-child(3),table.indicators th:nth-child(4){width:11%}
table.indicators th:nth-child(5){width:12%}table.indicators th:nth-child(6){width:11%}
table.indicators th:nth-child(7){width:16%}
th{background:#e6ecf3;color:var(--navy);text-align:left;font-weight:600;padding:7px 8px;border-bottom:2px solid #b9c6d6}
td{padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
tbody tr:nth-child(even){background:#f8fafc}
.num{text-align:right;white-space:nowrap}th.num{white-space:normal}
.code{font-weight:700;color:var(--navy);white-space:nowrap}
.suppressed{color:var(--muted);font-style:italic}
.badge{display:inline-block;white-space:nowrap;border-radius:12px;padding:2px 9px;font-size:12px;font-weight:600;
border:1px solid transparent}
.status-met.badge{background:#e3f3ea;color:var(--met);border-color:#a8d5bb}
.status-on_track.badge{background:#e3eefa;color:var(--on_track);border-color:#a9c8e8}
.status-off_track.badge{background:#fbe9e4;color:var(--off_track);border-color:#eab3a5}
.status-cannot_tell.badge{background:#fdf3e1;color:var(--cannot_tell);border-color:#e8c98f}
.why{margin-top:4px}.unreliable{color:var(--cannot_tell);font-style:italic}
.status-no_target.badge{background:#eef1f5;color:var(--neutral);border-color:#cfd7e1}
.status-no_data.badge,.status-no_denominator.badge,.status-suppressed.badge{background:#fff;color:var(--muted);
border-color:#cfd7e1;border-style:dashed}
figure{margin:8px 0 12px}
figcaption{font-weight:600;font-size:13px;margin-bottom:4px;color:var(--ink)}
.legend{font-weight:400;color:var(--muted);margin-left:14px}
.swatch{display:inline-block;width:3px;height:12px;background:var(--ink);vertical-align:middle;margin-right:5px}
.swatch.dashed{width:16px;height:0;border-top:2px dashed var(--ink);background:none}
article.indicator{border:1px solid var(--line);border-radius:8px;padding:12px 16px;margin:0 0 16px;break-inside:avoid}
article.indicator header{display:flex;gap:12px;align-items:flex-start}
article.indicator header h3{flex:1;margin:0;font-size:15px}
article.indicator header .code{font-size:15px;padding-top:1px}
.facts{display:flex;flex-wrap:wrap;gap:6px 26px;margin:10px 0 4px}
.facts div{min-width:110px}.facts dt{font-size:11.5px;color:var(--muted)}.facts dd{margin:0;font-weight:600}
.source-doc{font-size:12px;color:var(--muted);margin:2px 0 6px}
.charts{display:flex;flex-wrap:wrap;gap:4px 20px}
.two{display:flex;flex-wrap:wrap;gap:10px 30px;align-items:flex-start}
svg.chart{max-width:100%;height:auto;font-size:12px;overflow:visible}
svg .grid{stroke:#e3e8ef;stroke-width:1}
svg .axis{stroke:#8a97a8;stroke-width:1}
svg .tick,svg .period-label{fill:var(--muted);font-size:11px}
svg .label{fill:var(--ink)}svg .sublabel{fill:var(--muted);font-size:10.5px}
svg .value{fill:var(--ink);font-size:11px;font-weight:600}
svg .note{fill:var(--muted);font-style:italic;font-size:11.5px}
svg .bar.tone-neutral,svg .column.tone-year{fill:#5f86b3}
svg .bar.tone-met{fill:var(--met)}svg .bar.tone-on_track{fill:var(--on_track)}
svg .bar.tone-off_track{fill:var(--off_track)}svg .bar.tone-cannot_tell{fill:var(--cannot_tell)}
svg .bar.tone-muted{fill:var(--muted-bar)}
svg .column.tone-current{fill:var(--navy)}svg .column.tone-quarter{fill:#9db8d8}
svg .ci{stroke:#1b2533;stroke-width:1.2;fill:none;opacity:.75}
svg .target-mark{stroke:#111;stroke-width:3}
svg .target-line{stroke:#111;stroke-width:1.5;stroke-dasharray:5 3}
footer.notes{border-top:1px solid var(--line);margin-top:10px;padding-bottom:24px;font-size:12.5px;color:var(--muted)}
footer.notes h2{font-size:15px}
footer.notes ul{margin:0;padding-left:18px}
@page{size:A4 landscape;margin:12mm}
@media print{body{background:#fff;font-size:14px}.report{box-shadow:none;max-width:none;margin:0}
nav.contents,.to-contents{display:none}
table{font-size:13.5px}footer.notes{font-size:13.5px}.cover .programme,.cover .meta{font-size:14px}
small,.facts dt,.source-doc,.cover .kicker,.badge{font-size:12px}
.report>section~section{break-before:page}
.cover{padding:18px 20px}section,footer.notes{padding:10px 4px 4px}
h2,h3,figcaption{break-after:avoid}table.compact,figure,tr,.tiles,.figures,.facts{break-inside:avoid}
thead{display:table-header-group}
.badge,td.num{white-space:normal}th,td{padding:5px 6px}}
"""
