// The report page's stylesheet, inlined into the HTML: a plain, printable page; the toolbar with
// the zoom controls and the overview stays at the top while the charts scroll under it.

export const REPORT_CSS = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1d1d1d;background:#f4f5f7}
header,main,footer{max-width:1500px;margin:0 auto;padding:0 20px}
header{padding-top:16px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:17px;margin:22px 0 8px}
h3{font-size:15px;margin:16px 0 6px}
.sub{color:#555;margin:0 0 4px}
code{font:12px/1.4 ui-monospace,"DejaVu Sans Mono",monospace;background:#eceef1;padding:1px 4px;border-radius:3px}
.toolbar{position:sticky;top:0;z-index:2;background:#f4f5f7ee;border-bottom:1px solid #d9dbe0;padding:6px 20px 4px;backdrop-filter:blur(2px)}
.toolbar .row{max-width:1460px;margin:0 auto;display:flex;flex-wrap:wrap;gap:6px 14px;align-items:center}
.toolbar button{font:inherit;padding:2px 10px;border:1px solid #b9bcc4;border-radius:4px;background:#fff;cursor:pointer}
.toolbar #view-range{font-variant-numeric:tabular-nums;color:#333}
.legend{display:flex;flex-wrap:wrap;gap:4px 12px;color:#444;font-size:12px}
.legend i{display:inline-block;width:18px;height:10px;margin-right:4px;vertical-align:-1px;border-radius:2px}
.overview{max-width:1460px;margin:4px auto 0}
.machine{background:#fff;border:1px solid #dcdee3;border-radius:6px;padding:4px 12px 10px;margin:14px 0}
.machine h2{margin:8px 0 2px}
.readout{font-size:12px;color:#555;min-height:18px;font-variant-numeric:tabular-nums}
.chart{margin:4px 0}
canvas{display:block;cursor:grab}
canvas:active{cursor:grabbing}
table{border-collapse:collapse;background:#fff;margin:6px 0 10px;font-size:13px}
th,td{border:1px solid #dcdee3;padding:3px 8px;text-align:right;font-variant-numeric:tabular-nums}
th{background:#eef0f3}
td:first-child,th:first-child{text-align:left}
tr.total td{font-weight:600;background:#fafbfc}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:6px 0}
dt{color:#555}
dd{margin:0}
pre{background:#fff;border:1px solid #dcdee3;border-radius:4px;padding:8px 10px;overflow:auto;font:12px/1.4 ui-monospace,"DejaVu Sans Mono",monospace;max-height:420px}
.note{color:#555;font-size:13px}
.defs dt{font-weight:600;color:#333}
footer{color:#777;font-size:12px;padding:20px}
`;
