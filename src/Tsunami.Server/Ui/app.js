// Tsunami's web UI: a question box, a thumbnail grid with the evidence for each result, and a photo view with the
// objects and text drawn over it. Plain JavaScript against the REST API; nothing to build.
const pageSize = 60;
const $ = (id) => document.getElementById(id);
let question = "";
let limit = pageSize;
let lastCount = 0;

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

async function api(path, options) {
  const response = await fetch(path, options);
  if (response.status === 401) $("signin").hidden = false;
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || `${response.status} ${response.statusText}`);
  return body;
}

const fileName = (path) => path.split(/[\\/]/).pop();

// Text read from photos (OCR) is anyone's: it never reaches markup unescaped.
const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// "how many photos show horses" with a count of 12 reads "12 photos show horses".
function inWords(answer) {
  if (answer.count === undefined || answer.count === null) return answer.summary;
  const noun = answer.count === 1 ? "photo" : "photos";
  const rest = answer.question.replace(/^\s*how many\s+(photos|pictures|images)?\s*/i, "").replace(/\?$/, "");
  const verb = answer.count === 1 ? rest.replace(/^show\b/, "shows").replace(/^have\b/, "has") : rest;
  return `${answer.count} ${noun} ${verb}`.trim();
}

function why(result) {
  const seen = new Set();
  return result.evidence.map((e) => e.what).filter((w) => !seen.has(w) && seen.add(w)).slice(0, 3).join(" · ");
}

function card(result) {
  const link = el("a", { class: "card", href: `#asset=${result.id}`, "data-id": result.id, title: result.path },
    el("img", { src: `/api/assets/${result.id}/thumbnail`, alt: fileName(result.path), loading: "lazy" }),
    el("span", { class: "name" }, fileName(result.path)),
    el("span", { class: "why" }, why(result)));
  link.addEventListener("click", (event) => { event.preventDefault(); openAsset(result.id); });
  return link;
}

async function ask(more = false) {
  if (!question) return;
  limit = more ? limit + pageSize : pageSize;
  try {
    const answer = await api(`/api/ask?q=${encodeURIComponent(question)}&limit=${limit}`);
    lastCount = answer.results.length;
    $("summary").textContent = inWords(answer);
    $("notes").replaceChildren(...answer.notes.map((n) => el("li", {}, n)));
    $("results").replaceChildren(...answer.results.map(card));
  } catch (error) {
    $("summary").textContent = error.message;
    $("results").replaceChildren();
  }
}

function drawBoxes(asset) {
  const svg = $("boxes");
  svg.setAttribute("viewBox", `0 0 ${asset.width} ${asset.height}`);
  const shapes = [];
  for (const o of asset.objects || []) {
    shapes.push(`<rect class="object" x="${o.box.x}" y="${o.box.y}" width="${o.box.width}" height="${o.box.height}"><title>${escape(o.label)} ${o.score}</title></rect>`);
    shapes.push(`<text x="${o.box.x + 4}" y="${o.box.y + 16}" font-size="${Math.max(14, asset.width / 60)}">${escape(o.label)}</text>`);
  }
  for (const line of asset.textLines || []) {
    const xs = line.quad.filter((_, i) => i % 2 === 0), ys = line.quad.filter((_, i) => i % 2 === 1);
    const x = Math.min(...xs), y = Math.min(...ys);
    shapes.push(`<rect class="text" x="${x}" y="${y}" width="${Math.max(...xs) - x}" height="${Math.max(...ys) - y}"><title>${escape(line.text)}</title></rect>`);
  }
  svg.innerHTML = shapes.join("");
}

function facts(asset) {
  const rows = [
    ["file", asset.path], ["size", `${asset.width}×${asset.height} ${asset.format}`], ["taken", asset.takenAt],
    ["camera", [asset.cameraMake, asset.cameraModel].filter(Boolean).join(" ")],
    ["location", asset.location && `${asset.location.latitude.toFixed(5)}, ${asset.location.longitude.toFixed(5)}`],
    ["objects", Object.entries(asset.objectCounts || {}).map(([label, n]) => `${n} × ${label}`).join(", ")],
    ["labels", (asset.labels || []).map((l) => `${l.label} ${Math.round(l.score * 100)}%`).join(", ")],
    ["text", (asset.text || []).join(" / ")],
    ["tags", Object.entries(asset.tags || {}).map(([k, v]) => `${k}=${v}`).join(", ")],
  ].filter(([, value]) => value);
  const list = el("dl");
  for (const [name, value] of rows) list.append(el("dt", {}, name), el("dd", {}, value));
  const flags = (asset.quality?.flags || []).map((f) => el("span", { class: "flag" }, f));
  if (flags.length) list.append(el("dt", {}, "quality"), el("dd", {}, ...flags));
  if (asset.nearDuplicates?.length) {
    const links = asset.nearDuplicates.map((d) => {
      const link = el("a", { href: `#asset=${d.id}`, class: "near" }, `${d.id.slice(0, 8)} (${d.distance} bits apart)`);
      link.addEventListener("click", (event) => { event.preventDefault(); openAsset(d.id); });
      return link;
    });
    list.append(el("dt", {}, "near-duplicates"), el("dd", {}, ...links.flatMap((l, i) => (i ? [", ", l] : [l]))));
  }
  if (asset.location) {
    const { latitude, longitude } = asset.location;
    list.append(el("dt", {}, "map"), el("dd", {}, el("a", { href: `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=15/${latitude}/${longitude}`, target: "_blank", rel: "noopener" }, "OpenStreetMap")));
  }
  return list;
}

let openId = null;

async function openAsset(id) {
  const asset = await api(`/api/assets/${id}`);
  openId = id;
  $("delete-error").textContent = "";
  $("preview").src = `/api/assets/${id}/preview`;
  $("preview").alt = fileName(asset.path);
  drawBoxes(asset);
  $("facts").replaceChildren(facts(asset));
  $("similar").replaceChildren();
  if (!$("detail").open) $("detail").showModal();
  history.replaceState(null, "", `${location.pathname}${location.search}#asset=${id}`);
  api(`/api/similar/${id}?limit=8`).then((answer) => $("similar").replaceChildren(...answer.results.map(card))).catch(() => {});
}

// Deleting the open photo (admin keys only; the server answers others with the reason).
$("delete").addEventListener("click", async () => {
  const name = $("preview").alt;
  if (!openId || !confirm(`Delete ${name} and everything found in it? This cannot be undone.`)) return;
  try {
    await api(`/api/assets/${openId}`, { method: "DELETE", headers: { "X-Requested-With": "tsunami" } });
    $("detail").close();
    ask();
    loadFacets();
  } catch (error) {
    $("delete-error").textContent = error.message;
  }
});

// Uploads: one request a file, so that each has its own progress and its own error.
function upload(file) {
  const progress = el("progress", { max: "1", value: "0" });
  const status = el("span", { class: "status" }, "uploading…");
  const row = el("li", { "data-name": file.name }, el("span", { class: "name" }, file.name), progress, status);
  $("uploads").append(row);
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open("POST", "/api/assets?collection=uploads");
    request.setRequestHeader("X-Requested-With", "tsunami");
    request.upload.onprogress = (event) => { if (event.lengthComputable) progress.value = event.loaded / event.total; };
    request.onload = () => {
      let body = {};
      try { body = JSON.parse(request.responseText); } catch { }
      progress.value = 1;
      if (request.status !== 200) { row.classList.add("failed"); status.textContent = body.error || `${request.status}`; }
      else if (body.errors?.length) { row.classList.add("failed"); status.textContent = body.errors[0].reason; }
      else if (body.duplicates) status.textContent = "already stored";
      else status.textContent = "stored";
      row.dataset.done = row.classList.contains("failed") ? "failed" : "stored";
      resolve();
    };
    request.onerror = () => { row.classList.add("failed"); status.textContent = "the upload did not reach the server"; row.dataset.done = "failed"; resolve(); };
    const form = new FormData();
    form.append("files", file, file.name);
    request.send(form);
  });
}

async function uploadAll(files) {
  await Promise.all([...files].map(upload));
  ask();
  loadFacets();
}

$("files").addEventListener("change", () => uploadAll($("files").files));
document.addEventListener("dragover", (event) => { event.preventDefault(); document.body.classList.add("dropping"); });
document.addEventListener("dragleave", () => document.body.classList.remove("dropping"));
document.addEventListener("drop", (event) => {
  event.preventDefault();
  document.body.classList.remove("dropping");
  uploadAll(event.dataTransfer.files);
});

// Facets: each value adds its words to the question, so the planner does the narrowing and the link stays shareable.
const facetWords = {
  collections: (v) => `in the ${v} collection`,
  tags: (v) => (v.startsWith("site=") ? `from site ${v.slice(5)}` : v),
  objects: (v) => `with a ${v}`,
  labels: (v) => `of ${v}`,
  quality: (v) => (v === "low-resolution" ? "low-res" : v),
  taken: (v) => v,
  months: (v) => `taken in ${monthName(v)}`,
};

const monthName = (value) => new Date(`${value}-01T00:00:00Z`).toLocaleString("en", { month: "long", year: "numeric", timeZone: "UTC" });

// One time condition per question: a new one replaces the time words the question already has.
const timeWords = /\s*\btaken\s+(between\s+\S+\s+and\s+\S+|since\s+\S+|before\s+\S+|in\s+[a-z]+\s+\d{4}|today|yesterday|(this|last)\s+(week|month|year))/gi;

function refine(words) {
  const base = /^taken\b/.test(words) ? (question || "photos").replace(timeWords, "") : question || "photos";
  question = `${base} ${words}`.replace(/\s+/g, " ").trim();
  $("q").value = question;
  history.pushState(null, "", `/?q=${encodeURIComponent(question)}`);
  ask();
}

async function loadFacets() {
  let facets;
  try { facets = await api("/api/facets"); } catch { return; }
  facets.taken = ["taken today", "taken yesterday", "taken last week", "taken this month", "taken this year"].map((value) => ({ value }));
  const names = { collections: "collection", tags: "tags", objects: "objects", labels: "labels", quality: "quality", taken: "when", months: "month taken" };
  const groups = Object.entries(names).filter(([key]) => facets[key]?.length).map(([key, title]) =>
    el("div", { class: "group", "data-facet": key }, el("span", {}, title),
      ...facets[key].map((f) => {
        const shown = key === "months" ? monthName(f.value) : f.value;
        const chip = el("button", { type: "button", class: "chip", "data-value": f.value }, f.count === undefined ? shown : `${shown} (${f.count})`);
        chip.addEventListener("click", () => refine(facetWords[key](f.value)));
        return chip;
      })));
  $("facets").replaceChildren(...groups, dateRange());
}

// A range of capture dates, both days included: "taken between 2025-03-01 and 2025-03-14".
function dateRange() {
  const from = el("input", { type: "date", id: "from", "aria-label": "taken from" });
  const to = el("input", { type: "date", id: "to", "aria-label": "taken until" });
  const form = el("form", { class: "group", id: "range" }, el("span", {}, "dates"), from, "–", to, el("button", { type: "submit", class: "chip" }, "apply"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (from.value && to.value) refine(`taken between ${from.value} and ${to.value}`);
    else if (from.value) refine(`taken since ${from.value}`);
    else if (to.value) refine(`taken before ${new Date(Date.parse(to.value) + 86400000).toISOString().slice(0, 10)}`);
  });
  return form;
}

$("close").addEventListener("click", () => $("detail").close());
$("detail").addEventListener("close", () => history.replaceState(null, "", `${location.pathname}${location.search}`));
$("search").addEventListener("submit", (event) => {
  event.preventDefault();
  question = $("q").value.trim();
  history.pushState(null, "", `/?q=${encodeURIComponent(question)}`);
  ask();
});
new IntersectionObserver((entries) => {
  if (entries.some((e) => e.isIntersecting) && question && lastCount >= limit) ask(true);
}).observe($("more"));

// With API keys, the key is exchanged once for an HttpOnly cookie that the page, its images and links then carry.
$("signin").addEventListener("submit", async (event) => {
  event.preventDefault();
  const response = await fetch("/api/session", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Requested-With": "tsunami" },
    body: JSON.stringify({ key: $("key").value }),
  });
  if (response.ok) location.reload();
  else $("signin-error").textContent = (await response.json().catch(() => ({}))).error || "refused";
});

window.addEventListener("popstate", () => {
  question = new URLSearchParams(location.search).get("q") || "";
  $("q").value = question;
  ask();
});

question = new URLSearchParams(location.search).get("q") || "";
$("q").value = question;
ask();
loadFacets();
const deepAsset = location.hash.match(/^#asset=([0-9a-f-]+)$/);
if (deepAsset) openAsset(deepAsset[1]);
