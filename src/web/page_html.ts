// The page's one HTML file: markup, style, the worker's code (a text block the page turns into a
// blob: Worker), the optional embedded demo model (base64) and the page script, all inline, so
// dist/web/index.html works from file:// and from any static host and makes no request after it
// loads. tools/build_web.ts fills it in.

export interface PageParts {
  /** The page script (IIFE bundle of src/web/page.ts with NiiVue). */
  pageJs: string;
  /** The worker script (IIFE bundle of src/web/worker.ts). */
  workerJs: string;
  /** The demo model's .neurad bytes as base64, or null when none was built in. */
  demoModelBase64: string | null;
  /** What the page says when there is no demo model. */
  demoMissingNote: string;
  version: string;
}

/** Keeps inline script text from closing its element early. */
export function inlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, "<\\/$1");
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const CSS = `
:root { color-scheme: light dark; --bg:#f6f7f9; --fg:#1b1f24; --muted:#5b6470; --card:#fff;
  --line:#d8dde3; --accent:#2563eb; --bad:#b91c1c; --ok:#15803d; --warn:#b45309; }
@media (prefers-color-scheme: dark) { :root { --bg:#111418; --fg:#e6e9ee; --muted:#9aa4b1;
  --card:#1a1e24; --line:#2c333c; --accent:#60a5fa; --bad:#f87171; --ok:#4ade80; --warn:#fbbf24; } }
* { box-sizing: border-box; }
body { margin:0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; background:var(--bg); color:var(--fg); }
header { padding: 14px 20px 8px; border-bottom:1px solid var(--line); background:var(--card); }
header h1 { margin:0; font-size:20px; }
header h1 small { font-weight:normal; color:var(--muted); font-size:14px; }
.privacy { margin:4px 0 0; color:var(--muted); }
nav { display:flex; gap:4px; padding: 8px 20px 0; }
nav button { border:1px solid var(--line); border-bottom:none; background:transparent; color:var(--fg);
  padding:6px 14px; border-radius:6px 6px 0 0; cursor:pointer; font:inherit; }
nav button[aria-selected=true] { background:var(--card); font-weight:600; }
main { padding: 0 20px 20px; }
section.tab { background:var(--card); border:1px solid var(--line); border-radius:0 6px 6px 6px; padding:14px; }
.banner { margin: 10px 20px 0; padding:10px 14px; border-radius:6px; border:1px solid var(--bad);
  color:var(--bad); background:color-mix(in srgb, var(--bad) 8%, transparent); }
.row { display:flex; flex-wrap:wrap; gap:10px; align-items:center; margin-bottom:10px; }
.muted { color:var(--muted); }
#model-status[data-error] { color:var(--bad); }
button, .button { font:inherit; padding:5px 12px; border-radius:5px; border:1px solid var(--line);
  background:var(--bg); color:var(--fg); cursor:pointer; }
button:disabled { opacity:.5; cursor:default; }
.button input[type=file] { display:none; }
.drop { border:2px dashed var(--line); border-radius:8px; padding:18px; text-align:center; color:var(--muted); }
.drop.over { border-color:var(--accent); color:var(--accent); }
.drop.disabled { opacity:.5; pointer-events:none; }
#queue, #train-files { list-style:none; margin:10px 0; padding:0; }
#queue li { display:grid; grid-template-columns: minmax(140px,1.4fr) 2fr minmax(90px,auto) auto; gap:10px;
  align-items:center; padding:6px 8px; border-bottom:1px solid var(--line); cursor:pointer; }
#queue li.selected { background:color-mix(in srgb, var(--accent) 10%, transparent); }
#queue li .name { overflow:hidden; text-overflow:ellipsis; white-space:nowrap; font-weight:600; }
#queue li .status { font-size:13px; }
#queue li[data-state=failed] .status { color:var(--bad); }
#queue li[data-state=done] .status { color:var(--muted); }
progress { width:100%; height:10px; }
.result { display:grid; grid-template-columns: minmax(0,3fr) minmax(280px,2fr); gap:14px; margin-top:10px; }
@media (max-width: 900px) { .result { grid-template-columns: 1fr; } }
#viewer { position:relative; background:#0f1115; border-radius:6px; min-height:420px; height:56vh; }
#viewer canvas { width:100%; height:100%; display:block; }
#location { font: 12px ui-monospace, monospace; color:var(--muted); min-height:1.4em; }
.controls { display:grid; grid-template-columns:auto 1fr auto; gap:6px 10px; align-items:center; margin-bottom:10px; }
.controls output { font: 12px ui-monospace, monospace; min-width:5em; text-align:right; }
.verdict { font-size:18px; font-weight:700; }
.verdict[data-v=anomalous] { color:var(--bad); } .verdict[data-v=healthy] { color:var(--ok); }
.verdict[data-v=unreliable], .verdict[data-v="not scored"] { color:var(--warn); }
table { border-collapse:collapse; width:100%; font-size:13px; }
th, td { text-align:right; padding:3px 6px; border-bottom:1px solid var(--line); }
th:first-child, td:first-child { text-align:left; }
#lesions tbody tr { cursor:pointer; } #lesions tbody tr:hover { background:color-mix(in srgb, var(--accent) 12%, transparent); }
#warnings { margin:6px 0; padding-left:18px; color:var(--warn); }
#downloads a { margin-right:10px; }
h3 { margin:14px 0 6px; font-size:14px; }
#loss-chart { width:100%; height:220px; background:var(--bg); border-radius:6px; }
#train-sample { image-rendering:pixelated; height:190px; background:#000; border-radius:6px; }
.grid2 { display:grid; grid-template-columns: minmax(0,2fr) minmax(0,1fr); gap:14px; }
`;

const BODY = `
<header>
  <h1>neurad <small>anomaly detection in brain MRI, in this tab</small></h1>
  <p class="privacy">Everything runs here, on this computer's GPU through WebGPU: scans and models never
  leave this tab, and the page makes no network request.</p>
</header>
<div id="gpu-error" class="banner" role="alert" hidden></div>
<nav role="tablist">
  <button role="tab" id="tab-btn-detect" aria-selected="true" data-tab="detect">Detect</button>
  <button role="tab" id="tab-btn-train" aria-selected="false" data-tab="train">Train</button>
</nav>
<main>
<section class="tab" id="tab-detect">
  <div class="row">
    <strong>Model</strong>
    <span id="model-status" class="muted">none</span>
    <button id="use-demo" hidden>Use the demo model</button>
    <label class="button">Open a .neurad model…<input type="file" id="model-input" accept=".neurad"></label>
  </div>
  <div id="model-note" class="muted"></div>
  <div id="adapter" class="muted"></div>
  <div id="drop" class="drop" tabindex="0">Drop brain scans here (.nii, .nii.gz: skull-stripped T1) or
    <label class="button">choose files…<input type="file" id="scan-input" multiple accept=".nii,.gz,.nii.gz"></label>
  </div>
  <ul id="queue"></ul>
  <div class="result" id="result" hidden>
    <div>
      <div id="viewer"><canvas id="gl"></canvas></div>
      <div id="location"></div>
    </div>
    <aside>
      <div class="controls">
        <label for="cmap">colour map</label><select id="cmap"></select><span></span>
        <label for="opacity">opacity</label><input type="range" id="opacity" min="0" max="1" step="0.05" value="0.7"><output id="opacity-out"></output>
        <label for="thresh">threshold</label><input type="range" id="thresh" min="0" max="1" step="0.001" value="0"><output id="thresh-out"></output>
        <label for="outline">mask outline</label><input type="checkbox" id="outline" checked><span></span>
      </div>
      <div class="verdict" id="verdict" data-v=""></div>
      <div id="score"></div>
      <svg id="score-bar" width="100%" height="46" viewBox="0 0 300 46" preserveAspectRatio="none"></svg>
      <ul id="warnings"></ul>
      <h3>Lesion components</h3>
      <table id="lesions"><thead><tr><th>#</th><th>voxels</th><th>mm³</th><th>centroid (mm, scanner)</th></tr></thead><tbody></tbody></table>
      <h3>Downloads</h3>
      <div id="downloads"></div>
    </aside>
  </div>
</section>
<section class="tab" id="tab-train" hidden>
  <p class="muted">Trains the <code>demo</code> preset (the first study's VAE at ¼ width) on healthy
  skull-stripped T1 scans dropped here, or fine-tunes the opened model; then exports a .neurad file that
  <code>neurad detect --model</code> and this page open. Autodiff and the optimiser run on this GPU.</p>
  <div id="train-drop" class="drop" tabindex="0">Drop healthy scans here or
    <label class="button">choose files…<input type="file" id="train-input" multiple accept=".nii,.gz,.nii.gz"></label>
  </div>
  <ul id="train-files" class="muted"></ul>
  <div class="row">
    <label>steps <input type="number" id="train-steps" min="1" max="100000" value="50" style="width:6em"></label>
    <label><input type="checkbox" id="train-finetune"> fine-tune the opened model</label>
    <button id="train-start" disabled>Train</button>
    <button id="train-cancel" disabled>Cancel</button>
    <button id="train-export" disabled>Export model</button>
  </div>
  <progress id="train-progress" value="0" max="1"></progress>
  <div id="train-status" class="muted"></div>
  <div class="grid2">
    <svg id="loss-chart" viewBox="0 0 600 220" preserveAspectRatio="none"></svg>
    <div><img id="train-sample" alt="input and reconstruction"></div>
  </div>
</section>
</main>
`;

/** The whole page. */
export function pageHtml(p: PageParts): string {
  const model = p.demoModelBase64 === null
    ? ""
    : `<script type="application/octet-stream" id="neurad-demo-model">${p.demoModelBase64}</script>\n`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval' blob:; worker-src blob:; style-src 'unsafe-inline'; img-src data: blob:; connect-src data: blob:">
<title>neurad: brain MRI anomaly detection in the browser</title>
<style>${CSS}</style>
</head>
<body data-neurad-version="${escapeHtml(p.version)}">
${BODY}
<script type="text/plain" id="neurad-demo-note">${escapeHtml(p.demoMissingNote)}</script>
${model}<script type="text/plain" id="neurad-worker">${inlineScript(p.workerJs)}</script>
<script>${inlineScript(p.pageJs)}</script>
</body>
</html>
`;
}
