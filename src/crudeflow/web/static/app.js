/* crudeflow web app: plain JavaScript over the JSON API; no framework, nothing from the internet. */
"use strict";

const $ = (sel, el = document) => el.querySelector(sel);
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined && v !== false) e.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids.flat()) e.append(k instanceof Node ? k : document.createTextNode(String(k ?? "")));
  return e;
};
const PLOT_CONFIG = { displaylogo: false, responsive: true, scrollZoom: true, modeBarButtonsToRemove: ["select2d", "lasso2d"] };

async function api(path, opts = {}) {
  const r = await fetch(path, { headers: { "content-type": "application/json" }, ...opts });
  const isJson = (r.headers.get("content-type") || "").includes("json");
  const body = isJson ? await r.json() : await r.text();
  if (!r.ok) {
    const err = new Error((body && body.error && body.error.message) || r.statusText);
    err.status = r.status;
    err.body = body;
    throw err;
  }
  return body;
}
const post = (path, body) => api(path, { method: "POST", body: JSON.stringify(body) });

function errorText(e) {
  const b = e.body && e.body.error;
  if (!b) return String(e.message || e);
  const lines = [b.message, ...(b.detail || []), ...(b.problems || []).map((p) => p.message)];
  return lines.filter(Boolean).join("\n");
}
function setStatus(node, text, kind = "") {
  if (!node) return;
  node.textContent = text;
  node.className = "status " + kind;
}

/* ---- numbers and tables ---------------------------------------------------------------- */

function fmt(v, col = "") {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") {
    if (Number.isInteger(v) && !/usd|mt_|per_|share|hhi/.test(col)) return v.toLocaleString("en");
    const big = Math.abs(v) >= 1e6;
    return v.toLocaleString("en", { maximumFractionDigits: big ? 0 : Math.abs(v) < 1 && v !== 0 ? 4 : 2 });
  }
  if (Array.isArray(v)) return v.map((x) => (typeof x === "object" ? JSON.stringify(x) : x)).join(" · ");
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/* +1 when a rise of this delta is worse (red), -1 when a fall is worse, 0 when neutral (a flow
   moving from one link to another is neither good nor bad). Totals rows carry their figure. */
const WORSE_IF_RISE = [
  [/^(economic_cost|objective|refinery_cost|unmet|shut_in|average_delivered_cost)/, 1],
  [/^delivered_/, -1],
];
function worseIfRise(row, col) {
  if (col === "delta" && typeof row.figure === "string") {
    const hit = WORSE_IF_RISE.find(([re]) => re.test(row.figure));
    return hit ? hit[1] : 0;
  }
  if (/^delta_(cost|unmet|hhi)/.test(col)) return 1;
  return 0;
}

function sortableTable(rows, { columns = null, maxRows = 2000, deltas = false } = {}) {
  const cols = columns || [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const numeric = cols.map((c) => rows.some((r) => typeof r[c] === "number") && rows.every((r) => r[c] === null || r[c] === undefined || typeof r[c] === "number"));
  const table = el("table", { class: "data sortable" });
  const head = el("tr");
  const tbody = el("tbody");
  let order = { col: -1, dir: 1 };
  const draw = () => {
    tbody.replaceChildren();
    let data = rows.slice();
    if (order.col >= 0) {
      const c = cols[order.col];
      data.sort((a, b) => {
        const x = a[c], y = b[c];
        if (x === y) return 0;
        if (x === null || x === undefined) return 1;
        if (y === null || y === undefined) return -1;
        return (typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y))) * order.dir;
      });
    }
    for (const r of data.slice(0, maxRows)) {
      tbody.append(el("tr", {}, cols.map((c, i) => {
        const v = r[c];
        let cls = numeric[i] ? "num" : "";
        if (deltas && numeric[i] && typeof v === "number" && Math.abs(v) > 1e-9) {
          const worse = worseIfRise(r, c);
          if (worse !== 0) cls += v * worse > 0 ? " worse" : " better";
        }
        return el("td", { class: cls }, fmt(v, c));
      })));
    }
  };
  cols.forEach((c, i) => {
    const th = el("th", { class: numeric[i] ? "num" : "", title: "sort", "aria-sort": "none" }, c.replaceAll("_", " "));
    th.addEventListener("click", () => {
      order = { col: i, dir: order.col === i ? -order.dir : numeric[i] ? -1 : 1 };
      head.querySelectorAll("th").forEach((t) => t.setAttribute("aria-sort", "none"));
      th.setAttribute("aria-sort", order.dir > 0 ? "ascending" : "descending");
      draw();
    });
    head.append(th);
  });
  table.append(el("thead", {}, head), tbody);
  draw();
  return table;
}

function tableSection(id, title, rows, { runId = null, name = null, note = "", deltas = false, columns = null } = {}) {
  const links = runId && name
    ? el("span", { class: "downloads" },
        el("a", { href: `/api/runs/${runId}/tables/${name}.csv`, download: "" }, "CSV"), " · ",
        el("a", { href: `/api/runs/${runId}/tables/${name}.json`, download: "" }, "JSON"))
    : "";
  const body = rows && rows.length
    ? el("div", { class: "scroll" }, sortableTable(rows, { deltas, columns }))
    : el("p", { class: "empty" }, "none");
  return el("section", { id: `table-${id}` },
    el("h2", {}, title, " ", el("small", { class: "note" }, rows ? `${rows.length} rows` : ""), " ", links),
    note ? el("p", { class: "note" }, note) : "", body);
}

function card(label, value, unit = "", extra = "") {
  return el("div", { class: "card" }, el("div", { class: "k" }, label),
    el("div", { class: "v" }, value, " ", el("small", {}, unit)), extra ? el("div", { class: "d" }, extra) : "");
}

function planCards(s) {
  return [
    card("Economic cost", fmt(s.economic_cost_usd / 1e9), "bn USD/yr"),
    card("Unmet demand", fmt(s.unmet_mt_per_year), "Mt/yr"),
    card("Shut-in output", fmt(s.shut_in_mt_per_year), "Mt/yr"),
    card("Delivered to refineries", fmt(s.delivered_mt_per_year), "Mt/yr"),
    card("Average delivered cost", fmt(s.average_delivered_cost_usd_per_t), "USD/t"),
    card("Sold to world markets", fmt(s.sold_to_markets_mt_per_year), "Mt/yr"),
    card("Binding links", fmt(s.bottlenecks), ""),
    card("System cost with penalties", fmt(s.objective_usd / 1e9), "bn USD/yr"),
  ];
}

/* ---- jobs ------------------------------------------------------------------------------- */

function jobCard(job, { onDone = null } = {}) {
  const bar = el("progress", { max: "1", value: "0" });
  const phase = el("span", { class: "phase" }, "queued");
  const pct = el("span", { class: "pct" }, "");
  const cancel = el("button", { type: "button", class: "cancel" }, "Cancel");
  const result = el("span", { class: "result" });
  const box = el("div", { class: "job", id: `job-${job.id}`, "data-status": job.status },
    el("b", {}, `${job.kind} `), el("code", {}, job.id), " ", phase, el("div", { class: "bar" }, bar, pct), cancel, result);
  let timer = null;
  const paint = (j) => {
    box.dataset.status = j.status;
    const p = j.progress || {};
    if (typeof p.fraction === "number") {
      bar.value = p.fraction;
      pct.textContent = `${Math.round(p.fraction * 100)} %`;
    } else {
      bar.removeAttribute("value");
      pct.textContent = "";
    }
    phase.textContent = j.status === "running" ? (p.phase || "running") : j.status;
    if (j.status === "done" || j.status === "failed" || j.status === "cancelled") {
      clearInterval(timer);
      cancel.disabled = true;
      if (j.status === "done" && j.run_id) {
        result.replaceChildren(" → ", el("a", { href: `/runs/${j.run_id}` }, "open the result"));
        if (onDone) onDone(j);
      } else if (j.status === "failed") {
        result.replaceChildren(el("pre", { class: "error" }, [j.error.message, ...(j.error.problems || []).map((x) => x.message)].join("\n")));
      } else {
        result.textContent = " — cancelled, its worker process stopped";
      }
    }
  };
  cancel.addEventListener("click", async () => {
    cancel.disabled = true;
    try { paint(await post(`/api/jobs/${job.id}/cancel`, {})); } catch (e) { result.textContent = errorText(e); }
  });
  paint(job);
  timer = setInterval(async () => {
    try { paint(await api(`/api/jobs/${job.id}`)); } catch (e) { clearInterval(timer); result.textContent = errorText(e); }
  }, 500);
  return box;
}

/* ---- page: new plan (the editor) ---------------------------------------------------------- */

async function pageIndex() {
  const ds = $("#dataset"), sc = $("#scenario"), yaml = $("#yaml"), status = $("#status");
  let shippedText = null, shippedName = null, info = null, checkTimer = null;

  const template = (d) => `name: my-scenario\nbase: ${d}\ndescription: >\n  What changes and why.\nchanges: []\n`;

  async function loadDataset() {
    info = await api(`/api/datasets/${encodeURIComponent(ds.value)}`);
    const linkOpts = info.links.map((l) => el("option", { value: l.id }, `${l.id} — ${l.from} → ${l.to}, ${l.mode}, ${fmt(l.capacity_mt_per_year)} Mt/yr${l.status === "operating" ? "" : " (" + l.status + ")"}`));
    $("#capacity-link").replaceChildren(...linkOpts.map((o) => o.cloneNode(true)));
    $("#disable-link").replaceChildren(...linkOpts);
    $("#disable-node").replaceChildren(...info.nodes.map((n) => el("option", { value: n.id }, `${n.id} — ${n.name} (${n.kind}, ${n.country})`)));
    for (const s of document.querySelectorAll("select.country")) s.replaceChildren(...info.countries.map((c) => el("option", { value: c }, c)));
    $("#capacity-link").dispatchEvent(new Event("change"));
    const list = await api(`/api/scenarios?dataset=${encodeURIComponent(ds.value)}`);
    sc.replaceChildren(el("option", { value: "base" }, "base (no changes)"),
      ...list.scenarios.map((s) => el("option", { value: s.name, title: s.description }, s.name)));
    sc.dataset.descriptions = JSON.stringify(Object.fromEntries(list.scenarios.map((s) => [s.name, s.description])));
  }

  async function loadScenario() {
    const descs = JSON.parse(sc.dataset.descriptions || "{}");
    $("#scenario-description").textContent = descs[sc.value] || (sc.value === "base" ? "The dataset as it is: no changes." : "");
    if (sc.value === "base") {
      shippedName = null; shippedText = null;
      yaml.value = template(ds.value);
    } else {
      const s = await api(`/api/scenarios/${encodeURIComponent(sc.value)}`);
      shippedName = s.name; shippedText = s.yaml;
      yaml.value = s.yaml;
    }
    validate();
  }

  function addChange(line) {
    let text = yaml.value;
    if (shippedName && text === shippedText) text = text.replace(/^name:\s*(.+)$/m, (_, n) => `name: ${n.trim()}-edited`);
    if (sc.value === "base" && /^name: my-scenario$/m.test(text)) text = text.replace(/^name: my-scenario$/m, "name: my-changes");
    if (/^changes:\s*\[\s*\]\s*$/m.test(text)) text = text.replace(/^changes:\s*\[\s*\]\s*$/m, "changes:");
    if (!/^changes:/m.test(text)) text = text.replace(/\n*$/, "\nchanges:");
    yaml.value = text.replace(/\n*$/, "\n") + line + "\n";
    yaml.scrollTop = yaml.scrollHeight;
    validate();
  }

  async function validate() {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(async () => {
      const badge = $("#validity"), list = $("#problems");
      try {
        const ok = await post("/api/scenarios/validate", { dataset: ds.value, scenario_yaml: yaml.value });
        badge.textContent = `valid · ${ok.changes.length} change(s)`;
        badge.className = "badge ok";
        list.replaceChildren();
      } catch (e) {
        badge.textContent = "invalid";
        badge.className = "badge bad";
        const probs = (e.body && e.body.error && e.body.error.problems) || [];
        list.replaceChildren(...(probs.length ? probs : [{ message: errorText(e) }]).map((p) =>
          el("li", { onclick: () => selectLine(p.line) }, p.message)));
      }
    }, 250);
  }

  function selectLine(n) {
    if (!n) return;
    const lines = yaml.value.split("\n");
    const start = lines.slice(0, n - 1).join("\n").length + (n > 1 ? 1 : 0);
    yaml.focus();
    yaml.setSelectionRange(start, start + (lines[n - 1] || "").length);
  }

  function inputs() {
    const body = { dataset: ds.value, label: $("#label").value };
    if (shippedName && yaml.value === shippedText) body.scenario = shippedName;
    else if (sc.value === "base" && yaml.value === template(ds.value)) body.scenario = "base";
    else body.scenario_yaml = yaml.value;
    return body;
  }

  $("#capacity-link").addEventListener("change", () => {
    const l = info && info.links.find((x) => x.id === $("#capacity-link").value);
    if (l) $("#capacity-value").value = l.capacity_mt_per_year;
  });
  $("#add-capacity").addEventListener("click", () => addChange(`  - capacity: {${$("#capacity-link").value}: ${Number($("#capacity-value").value)}}`));
  $("#add-disable-link").addEventListener("click", () => addChange(`  - disable_links: [${$("#disable-link").value}]`));
  $("#add-disable-node").addEventListener("click", () => addChange(`  - disable_nodes: [${$("#disable-node").value}]`));
  $("#add-disable-country").addEventListener("click", () => addChange(`  - disable_countries: [{country: ${$("#disable-country").value}, as: ${$("#disable-country-as").value}}]`));
  $("#add-embargo").addEventListener("click", () => {
    const i = $("#embargo-importer").value, o = $("#embargo-origin").value;
    addChange(`  - add_policies:\n      - {id: embargo-${o.toLowerCase()}-to-${i.toLowerCase()}, kind: embargo, importers: [${i}], origins: [${o}]}`);
  });
  $("#add-duty").addEventListener("click", () => {
    const i = $("#duty-importer").value, o = $("#duty-origin").value, v = Number($("#duty-value").value);
    addChange(`  - add_policies:\n      - {id: duty-${o.toLowerCase()}-to-${i.toLowerCase()}, kind: export_duty, origin: ${o}, importers: [${i}], usd_per_t: ${v}}`);
  });
  yaml.addEventListener("input", validate);
  ds.addEventListener("change", async () => { await loadDataset(); await loadScenario(); });
  sc.addEventListener("change", loadScenario);

  $("#run-plan").addEventListener("click", async () => {
    const btn = $("#run-plan");
    btn.disabled = true;
    setStatus(status, "solving the plan in a worker process…", "busy");
    try {
      const r = await post("/api/plans", { ...inputs(), strict: $("#strict").checked });
      if (r.run_id) { setStatus(status, "solved; opening the result…", "ok"); location.href = `/runs/${r.run_id}`; return; }
      $("#jobs-here").prepend(jobCard(r, { onDone: (j) => { location.href = `/runs/${j.run_id}`; } }));
      setStatus(status, "queued: the result opens when it is ready", "busy");
    } catch (e) {
      setStatus(status, errorText(e), "bad");
    } finally {
      btn.disabled = false;
    }
  });
  for (const [id, kind, params] of [["#run-montecarlo", "montecarlo", () => ({ n: Number($("#mc-n").value) })], ["#run-stress", "stress", () => ({})]]) {
    $(id).addEventListener("click", async () => {
      try {
        const job = await post("/api/jobs", { ...inputs(), kind, params: params() });
        setStatus(status, `${kind} started in the background`, "ok");
        $("#jobs-here").prepend(jobCard(job));
      } catch (e) {
        setStatus(status, errorText(e), "bad");
      }
    });
  }

  await loadDataset();
  const from = new URLSearchParams(location.search).get("from");
  if (from) {
    const run = await api(`/api/runs/${encodeURIComponent(from)}`);
    ds.value = run.dataset_id;
    await loadDataset();
    sc.value = "base";
    yaml.value = run.scenario_text || template(ds.value);
    shippedName = null;
    validate();
  } else {
    await loadScenario();
  }
  recentRuns($("#recent-runs"), 10);
}

async function recentRuns(node, limit, { ticks = false } = {}) {
  const data = await api(`/api/runs?limit=${limit}`);
  const rows = data.runs.map((r) => ({ ...r, headline: headline(r) }));
  const table = el("table", { class: "data" }, el("thead", {}, el("tr", {},
    ticks ? el("th", {}, "") : "", ["run", "created", "kind", "label", "dataset", "scenario", "headline", "versions"].map((h) => el("th", {}, h)))));
  const body = el("tbody");
  for (const r of rows) {
    body.append(el("tr", {},
      ticks ? el("td", {}, r.kind === "plan" ? el("input", { type: "checkbox", class: "tick", value: r.id, "aria-label": `compare ${r.id}` }) : "") : "",
      el("td", {}, el("a", { href: `/runs/${r.id}` }, r.id)), el("td", {}, new Date(r.created_at).toLocaleString()),
      el("td", {}, r.kind), el("td", {}, r.label), el("td", {}, r.dataset_id), el("td", {}, r.scenario_name),
      el("td", {}, r.headline), el("td", { class: "note" }, `crudeflow ${r.crudeflow_version} · HiGHS ${r.highs_version}`)));
  }
  table.append(body);
  node.replaceChildren(rows.length ? table : el("p", { class: "empty" }, "no runs yet"));
}

function headline(r) {
  const s = r.summary || {};
  if (r.kind === "plan") return `economic cost ${fmt(s.economic_cost_usd / 1e9)} bn USD/yr · unmet ${fmt(s.unmet_mt_per_year)} Mt/yr · shut in ${fmt(s.shut_in_mt_per_year)} Mt/yr`;
  if (r.kind === "montecarlo") return `${fmt(s.n)} draws · worst P90 unmet ${fmt(s.worst_p90_unmet_mt_per_year)} Mt/yr (${s.worst_importer_p90 || "—"})`;
  if (r.kind === "stress") return `N-${s.k} over ${s.assets}: most critical ${s.most_critical || "—"}`;
  return "";
}

/* ---- page: one run ----------------------------------------------------------------------- */

const PLAN_TABLES = [
  ["unmet", "Unmet demand and why", "Demand the plan cannot meet (Mt/yr), with the binding constraints that stop it."],
  ["costs", "Delivered cost per refinery", "USD/t: supply price + transport + duties + fees; volumes Mt/yr."],
  ["bottlenecks", "Bottlenecks", "Links at capacity; the shadow price is what one more Mt/yr there would save (USD/t)."],
  ["deliveries", "Deliveries by grade and origin", ""],
  ["flows", "Flows on links", "Mt/yr per link and grade."],
  ["concentration", "Supply concentration (HHI)", "10,000 = one source."],
  ["sales", "Sold to world markets", ""],
  ["shut_in", "Fixed output that cannot be placed", ""],
  ["contracts", "Contracts", ""],
  ["prices", "Marginal cost per node and grade", "USD/t"],
];

async function pagePlanRun() {
  const id = document.body.dataset.run;
  const run = await api(`/api/runs/${id}`);
  const r = run.results;
  $("#run-meta").textContent = `${run.kind} · dataset ${run.dataset_id} (content ${run.dataset_hash.slice(0, 12)}…) · scenario ${run.scenario_name}` +
    `${run.label ? " · " + run.label : ""} · ${new Date(run.created_at).toLocaleString()} · crudeflow ${run.crudeflow_version}, HiGHS ${run.highs_version}`;
  $("#inputs-meta").textContent = `options ${JSON.stringify(run.options)} · timings ${Object.entries(run.timings).map(([k, v]) => `${k} ${fmt(v)}`).join(", ")}`;
  $("#scenario-text").textContent = run.scenario_text || "(the base dataset, no scenario)";
  const tables = $("#tables");
  if (run.kind === "plan") {
    $("#cards").replaceChildren(...planCards(run.summary));
    for (const [name, title, note] of PLAN_TABLES) if (r[name]) tables.append(tableSection(name, title, r[name], { runId: id, name, note }));
    drawFigures(id);
    comparePicker(run);
  } else {
    for (const n of document.querySelectorAll(".plan-only, #report-link, #report-download, #compare-base, #compare-with")) (n.closest("label") || n).style.display = "none";
    const s = run.summary;
    if (run.kind === "montecarlo") {
      $("#cards").replaceChildren(card("Draws (years)", fmt(s.n)), card("Expected system cost", fmt(s.expected_objective_musd / 1e3), "bn USD/yr"),
        card("Worst P90 unmet", fmt(s.worst_p90_unmet_mt_per_year), "Mt/yr", s.worst_importer_p90 || ""), card("Time", fmt(s.seconds), "s"));
    } else {
      $("#cards").replaceChildren(card("Assets", `N-${s.k} over ${s.assets}`), card("Cases", fmt(s.cases), "", `${fmt(s.solved)} re-solved`),
        card("Most critical", s.most_critical || "—"), card("Time", fmt(s.seconds), "s"));
    }
    for (const name of Object.keys(r)) if (Array.isArray(r[name])) tables.append(tableSection(name, name.replaceAll("_", " "), r[name], { runId: id, name }));
  }
}

async function drawFigures(id) {
  const st = $("#figure-status");
  setStatus(st, "re-solving the plan from its saved inputs and drawing it…", "busy");
  try {
    const f = await api(`/api/runs/${id}/figures`);
    setStatus(st, f.reproduced ? "re-solved from the saved inputs: same objective as the saved run ✓" : "warning: re-solving gave a different objective than the saved run", f.reproduced ? "ok" : "bad");
    for (const [name, div] of [["map", "fig-map"], ["sankey", "fig-sankey"], ["cost", "fig-cost"]]) {
      const fig = f.figures[name];
      await Plotly.newPlot(div, fig.data, fig.layout, PLOT_CONFIG);
    }
  } catch (e) {
    setStatus(st, errorText(e), "bad");
  }
}

async function comparePicker(run) {
  const pick = $("#compare-with");
  const runs = await api(`/api/runs?kind=plan&dataset=${encodeURIComponent(run.dataset_id)}&limit=100`);
  for (const r of runs.runs) if (r.id !== run.id) pick.append(el("option", { value: r.id }, `${r.scenario_name}${r.label ? " · " + r.label : ""} (${r.id})`));
  pick.addEventListener("change", () => { if (pick.value) location.href = `/compare?a=${pick.value}&b=${run.id}`; });
  $("#compare-base").addEventListener("click", async () => {
    const btn = $("#compare-base");
    btn.disabled = true;
    let base = runs.runs.find((r) => r.scenario_name === "base" && r.id !== run.id && !r.options.strict);
    try {
      if (!base) base = { id: (await post("/api/plans", { dataset: run.dataset_id, scenario: "base", label: "base" })).run_id };
      location.href = `/compare?a=${base.id}&b=${run.id}`;
    } catch (e) {
      btn.disabled = false;
      alert(errorText(e));
    }
  });
}

/* ---- page: compare ---------------------------------------------------------------------- */

async function pageCompare() {
  const p = new URLSearchParams(location.search);
  const a = p.get("a"), b = p.get("b");
  setStatus($("#compare-status"), "re-solving both plans from their saved inputs…", "busy");
  try {
    const c = await api(`/api/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`);
    setStatus($("#compare-status"), "");
    $("#compare-meta").append("A = ", el("a", { href: `/runs/${a}` }, `${c.a.scenario_name}${c.a.label ? " · " + c.a.label : ""}`),
      ", B = ", el("a", { href: `/runs/${b}` }, `${c.b.scenario_name}${c.b.label ? " · " + c.b.label : ""}`), ` (dataset ${c.b.dataset_id})`);
    $("#totals").replaceChildren(sortableTable(c.totals, { deltas: true }));
    $("#compare-report").href = `/api/runs/${b}/report?compare=${a}`;
    const t = $("#compare-tables");
    t.append(tableSection("cmp-unmet", "Unmet demand (A → B)", c.unmet, { deltas: true }));
    t.append(tableSection("cmp-refineries", "Per refinery (A → B)", c.refineries, { deltas: true }));
    t.append(tableSection("cmp-flows", "Changed link flows (Mt/yr)", c.flows, { deltas: true }));
    t.append(tableSection("cmp-concentration", "Concentration (HHI)", c.concentration, { deltas: true }));
  } catch (e) {
    setStatus($("#compare-status"), errorText(e), "bad");
  }
}

/* ---- pages: runs, jobs --------------------------------------------------------------------- */

async function pageRuns() {
  await recentRuns($("#all-runs"), 500, { ticks: true });
  const btn = $("#compare-ticked");
  document.addEventListener("change", () => { btn.disabled = document.querySelectorAll("input.tick:checked").length !== 2; });
  btn.addEventListener("click", () => {
    const [x, y] = [...document.querySelectorAll("input.tick:checked")].map((i) => i.value);
    location.href = `/compare?a=${y}&b=${x}`;
  });
}

async function pageJobs() {
  const id = document.body.dataset.job;
  const list = $("#jobs-list");
  const jobs = id ? [await api(`/api/jobs/${id}`)] : (await api("/api/jobs")).jobs;
  list.replaceChildren(...(jobs.length ? jobs.map((j) => jobCard(j)) : [el("p", { class: "empty" }, "no jobs since the server started")]));
}

const PAGES = { index: pageIndex, run: pagePlanRun, compare: pageCompare, runs: pageRuns, jobs: pageJobs };
document.addEventListener("DOMContentLoaded", () => {
  const fn = PAGES[document.body.dataset.page];
  if (fn) fn().catch((e) => { const s = $("#status") || $("main"); s.prepend(el("pre", { class: "error" }, errorText(e))); });
});
