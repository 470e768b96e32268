// The operations page: ingest throughput, model queues, latency and batch sizes, storage per collection. It reads
// /metrics (Prometheus text) and /api/stats every two seconds and charts the differences.
const $ = (id) => document.getElementById(id);
const series = { ingest: [], inference: [] };
let previous = null;

function parseMetrics(text) {
  const samples = [];
  for (const line of text.split("\n")) {
    const match = line.match(/^(\w+)\{([^}]*)\}\s+([-\d.eE+]+)/);
    if (!match) continue;
    const labels = Object.fromEntries([...match[2].matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

function byModel(samples) {
  const models = {};
  for (const s of samples) {
    if (!s.labels.model || s.labels.reason) continue;
    const key = `${s.labels.model}/${s.labels.version}`;
    (models[key] ??= { model: s.labels.model, version: s.labels.version })[s.name] = s.value;
  }
  return models;
}

const palette = ["#0b6bcb", "#c2410c", "#15803d", "#7c3aed", "#b45309", "#0e7490", "#be185d"];

// Lines over the last 60 ticks, one per named series, on a shared scale; the canvas lists what it drew.
function chart(canvas, lines) {
  const context = canvas.getContext("2d");
  const { width, height } = canvas;
  context.clearRect(0, 0, width, height);
  context.strokeStyle = "#dde2e8";
  context.strokeRect(0.5, 0.5, width - 1, height - 1);
  const entries = Object.entries(lines);
  const top = Math.max(1, ...entries.flatMap(([, values]) => values));
  context.font = "12px system-ui";
  context.fillStyle = "#5d6b7e";
  context.fillText(top.toFixed(1), 4, 14);
  entries.forEach(([name, values], n) => {
    const color = palette[n % palette.length];
    context.fillStyle = color;
    if (entries.length > 1) context.fillText(name, 60 + n * 90, 14);
    if (values.length < 2) return;
    context.strokeStyle = color;
    context.lineWidth = 2;
    context.beginPath();
    values.forEach((v, i) => {
      const x = (i / 59) * (width - 2) + 1, y = height - 2 - (v / top) * (height - 20);
      i === 0 ? context.moveTo(x, y) : context.lineTo(x, y);
    });
    context.stroke();
  });
  canvas.dataset.series = entries.filter(([, values]) => values.length >= 2).map(([name]) => name).join(" ");
}

const push = (series, value) => { series.push(value); if (series.length > 60) series.shift(); };
const perModel = { latency: {}, batch: {}, queued: {} };
const cell = (text) => { const td = document.createElement("td"); td.textContent = text; return td; };

async function tick() {
  const [metricsText, stats] = await Promise.all([
    fetch("/metrics").then((r) => (r.ok ? r.text() : "")),
    fetch("/api/stats").then((r) => r.json()),
  ]);
  const now = performance.now() / 1000;
  const models = byModel(parseMetrics(metricsText));
  const current = { time: now, assets: stats.assets, models };
  const rows = [];
  let inferenceRate = 0;
  for (const [key, m] of Object.entries(models)) {
    const before = previous?.models[key];
    const seconds = previous ? now - previous.time : 0;
    const inferences = before ? (m.tsunami_inference_count ?? 0) - (before.tsunami_inference_count ?? 0) : 0;
    const executions = before ? (m.tsunami_inference_exec_count ?? 0) - (before.tsunami_inference_exec_count ?? 0) : 0;
    const compute = before ? (m.tsunami_inference_compute_infer_duration_us ?? 0) - (before.tsunami_inference_compute_infer_duration_us ?? 0) : 0;
    const rate = seconds > 0 ? inferences / seconds : 0;
    inferenceRate += rate;
    if (previous) {
      push(perModel.latency[m.model] ??= [], executions ? compute / executions / 1000 : 0);
      push(perModel.batch[m.model] ??= [], executions ? inferences / executions : 0);
      push(perModel.queued[m.model] ??= [], m.tsunami_inference_pending_request_count ?? 0);
    }
    const row = document.createElement("tr");
    row.dataset.model = m.model;
    row.append(cell(m.model), cell(m.version), cell(rate.toFixed(1)), cell(executions ? (inferences / executions).toFixed(1) : "–"),
      cell(executions ? (compute / executions / 1000).toFixed(1) : "–"), cell(String(m.tsunami_inference_pending_request_count ?? 0)),
      cell(String(m.tsunami_model_instance_count ?? 0)));
    rows.push(row);
  }
  $("models").tBodies[0].replaceChildren(...rows);
  const ingestRate = previous ? Math.max(0, (stats.assets - previous.assets) / (now - previous.time)) : 0;
  push(series.ingest, ingestRate);
  push(series.inference, inferenceRate);
  chart($("ingest"), { "photos/s": series.ingest });
  chart($("inference"), { "inferences/s": series.inference });
  chart($("latency"), perModel.latency);
  chart($("batch"), perModel.batch);
  chart($("queued"), perModel.queued);
  const largest = Math.max(1, ...stats.collections.map((c) => c.originalBytes));
  $("ingest-now").textContent = `${stats.assets} photos stored · ${ingestRate.toFixed(1)} photos/s now`;
  $("storage").tBodies[0].replaceChildren(...stats.collections.map((c) => {
    const row = document.createElement("tr");
    row.dataset.collection = c.name;
    const bar = document.createElement("td");
    const meter = document.createElement("meter");
    meter.max = largest;
    meter.value = c.originalBytes;
    bar.append(meter, ` ${(c.originalBytes / 1e6).toFixed(1)} MB`);
    row.append(cell(c.name), cell(String(c.assets)), bar, action("delete", () => deleteCollection(c.name)));
    return row;
  }));
  previous = current;
  document.body.dataset.ticks = String(Number(document.body.dataset.ticks || 0) + 1);
}

// A table cell with a button; changes carry X-Requested-With, and a refusal is shown with its reason.
function action(label, run) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = `small${label === "delete" ? " danger" : ""}`;
  button.textContent = label;
  button.dataset.action = label;
  button.addEventListener("click", run);
  const td = document.createElement("td");
  td.append(button);
  return td;
}

async function change(path) {
  const response = await fetch(path, { method: "DELETE", headers: { "X-Requested-With": "tsunami" } });
  $("ops-error").textContent = response.ok ? "" : (await response.json().catch(() => ({}))).error || `${response.status}`;
}

async function deleteCollection(name) {
  if (!confirm(`Delete the collection ${name} with all its photos? This cannot be undone.`)) return;
  await change(`/api/collections/${encodeURIComponent(name)}`);
  tick();
}

// Ingest jobs (admin): start one over a server folder, follow each to its end.
async function jobs() {
  const response = await fetch("/api/jobs");
  if (!response.ok) return;
  const { jobs } = await response.json();
  $("jobs").tBodies[0].replaceChildren(...jobs.map((job) => {
    const row = document.createElement("tr");
    row.dataset.job = job.id;
    row.dataset.status = job.status;
    const progress = document.createElement("progress");
    progress.max = job.filesTotal || 1;
    progress.value = job.filesDone || (job.status === "completed" ? progress.max : 0);
    const bar = document.createElement("td");
    bar.append(progress, ` ${job.filesDone ?? 0} / ${job.filesTotal ?? "?"}`);
    row.append(cell(job.id), cell(job.collection), cell(job.error ? `${job.status}: ${job.error}` : job.status), bar,
      cell(String(job.ingested ?? 0)), cell(String(job.failed ?? 0)),
      job.status === "queued" || job.status === "running" ? action("cancel", () => change(`/api/jobs/${job.id}`).then(jobs)) : cell(""));
    return row;
  }));
}

$("job").addEventListener("submit", async (event) => {
  event.preventDefault();
  const response = await fetch("/api/jobs", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Requested-With": "tsunami" },
    body: JSON.stringify({ sources: [$("job-source").value.trim()], collection: $("job-collection").value.trim() || "imports" }),
  });
  $("job-error").textContent = response.ok ? "" : (await response.json().catch(() => ({}))).error || `${response.status}`;
  jobs();
});

tick();
jobs();
setInterval(() => { tick(); jobs(); }, 2000);
