// thaadsim serve: the page. Plain JavaScript, no build step; Leaflet and Plotly are vendored.
// The page holds one *setup*: the scenario file's data model as JSON (see serve_api contract).
// Every number shown comes from the server (/api/...); the page only draws and edits.
"use strict";

const $ = (sel) => document.querySelector(sel);
const COLORS = { stopped: "#1a7f37", partly: "#c77700", leaked: "#b42318", none: "#6b7b8c" };
const EARTH_RADIUS_KM = 6371.0088; // IUGG mean Earth radius: drawing only (fans, circles)

const state = {
  catalog: null,      // /api/catalog
  setup: null,        // the scenario data model
  runId: null,        // the run in flight
  result: null,       // the last run's RESULT
  lastRunId: null,    // the run whose report can be downloaded
  pick: null,         // {what, done(latlng)}: the next map click
  fpJob: null,
  fpLaunch: null,
  form: { launch: null, aim: null },
};

// ---------------------------------------------------------------- small helpers

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function fmt(x, digits = 0) {
  if (x === null || x === undefined || Number.isNaN(x)) return "–";
  return Number(x).toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function pct(x, digits = 0) { return x === null || x === undefined ? "–" : `${fmt(100 * x, digits)}%`; }

class ApiError extends Error {
  constructor(message, field, status) { super(message); this.field = field || null; this.status = status; }
}

async function api(path, { method = "GET", body = null, raw = false } = {}) {
  const opts = { method, headers: {} };
  if (body !== null) { opts.body = JSON.stringify(body); opts.headers["Content-Type"] = "application/json"; }
  let resp;
  try { resp = await fetch(path, opts); } catch (e) {
    throw new ApiError("The thaadsim server does not answer: is `thaadsim serve` still running?", null, 0);
  }
  if (!resp.ok) {
    let msg = `The server answered ${resp.status}.`, field = null;
    try { const j = await resp.json(); if (j && j.error) { msg = j.error; field = j.field || null; } } catch (e) { /* not JSON */ }
    throw new ApiError(msg, field, resp.status);
  }
  if (raw) return resp;
  return resp.json();
}

// great-circle helpers on a sphere (drawing only: fans, circles, downrange for the chart)
const rad = (d) => d * Math.PI / 180, deg = (r) => r * 180 / Math.PI;
function destination(lat, lon, bearingDeg, distKm) {
  const d = distKm / EARTH_RADIUS_KM, b = rad(bearingDeg), p1 = rad(lat), l1 = rad(lon);
  const p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(b));
  const l2 = l1 + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
  return [deg(p2), ((deg(l2) + 540) % 360) - 180];
}
function distanceKm(lat1, lon1, lat2, lon2) {
  const a = Math.sin(rad(lat2 - lat1) / 2) ** 2 + Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(rad(lon2 - lon1) / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

// ---------------------------------------------------------------- the setup in the URL

function b64url(bytes) {
  let s = ""; for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
function unb64url(text) {
  const s = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}
async function streamBytes(bytes, stream) {
  const out = new Response(new Blob([bytes]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}
// "#z=..." is the setup's compact JSON, deflated and base64url-encoded; "#j=..." plain JSON
async function encodeSetup(setup) {
  const json = JSON.stringify(setup);
  if (typeof CompressionStream === "function") {
    const z = await streamBytes(new TextEncoder().encode(json), new CompressionStream("deflate-raw"));
    return "z=" + b64url(z);
  }
  return "j=" + encodeURIComponent(json);
}
async function decodeSetup(hash) {
  const text = hash.replace(/^#/, "");
  if (text.startsWith("z=")) {
    const bytes = await streamBytes(unb64url(text.slice(2)), new DecompressionStream("deflate-raw"));
    return JSON.parse(new TextDecoder().decode(bytes));
  }
  if (text.startsWith("j=")) return JSON.parse(decodeURIComponent(text.slice(2)));
  return null;
}
let hashWrite = Promise.resolve();
function saveToUrl() {
  const setup = JSON.parse(JSON.stringify(state.setup));
  hashWrite = hashWrite.then(async () => {
    const hash = "#" + await encodeSetup(setup);
    if (location.hash !== hash) history.replaceState(null, "", hash);
  });
  return hashWrite;
}

// ---------------------------------------------------------------- catalog look-ups

const siteBySlug = (slug) => state.catalog.sites.find((s) => s.slug === slug);
const missileBySlug = (slug) => state.catalog.missiles.find((m) => m.slug === slug);
const batteryKind = (slug) => state.catalog.batteries.find((b) => b.slug === slug);
// a battery's reach: the last run's own figure for it (RESULT.batteries[].reach_km) while
// the battery still has the interceptor it ran with, else the catalog's
function interceptorReachKm(battery) {
  const kind = batteryKind(battery.battery);
  const slug = battery.interceptor || (kind && kind.interceptor);
  const label = battery.name || battery.battery;  // RESULT.batteries: slug is the setup's label
  const fromRun = state.result && (state.result.batteries || []).find(
    (b) => (b.slug === label || b.name === label) && (!slug || b.interceptor === slug));
  if (fromRun && fromRun.reach_km) return fromRun.reach_km;
  const ic = state.catalog.interceptors.find((i) => i.slug === slug);
  return ic && ic.reach_km ? ic.reach_km : null;
}
function modeInfo(mode, sensorName) {
  const info = (state.catalog.radar_modes_info || []).find((m) => m.mode === mode);
  if (info) return info;
  const fromRun = state.result && (state.result.sensors || []).find((s) => s.name === sensorName && s.mode === mode);
  return fromRun ? { mode, range_km: fromRun.range_km, half_width_deg: fromRun.half_width_deg } : null;
}

// where a place of the setup is: lat/lon, or its site
function placeOf(p, fallbackSite) {
  if (!p) return null;
  if (p.lat_deg !== undefined && p.lat_deg !== null && p.lon_deg !== undefined && p.lon_deg !== null) return [p.lat_deg, p.lon_deg];
  const slug = p.site || fallbackSite;
  const s = slug && siteBySlug(slug);
  return s ? [s.lat_deg, s.lon_deg] : null;
}
function placeLabel(p) {
  if (!p) return "?";
  if (p.area) return `${placeLabel(p.area)} (within ${fmt(p.area.radius_km)} km)`;
  if (p.site) { const s = siteBySlug(p.site); return s ? s.name : p.site; }
  return `${fmt(p.lat_deg, 2)}°N ${fmt(p.lon_deg, 2)}°E`;
}
function launchCentre(launch) { return launch && launch.area ? placeOf(launch.area) : placeOf(launch); }
function batteryPlace(b) { const kind = batteryKind(b.battery); return placeOf(b, kind && kind.site); }
function sensorBoresight(s) {
  if (s.boresight_deg !== undefined && s.boresight_deg !== null) return s.boresight_deg;
  const cat = state.catalog.sensors.find((c) => c.site === s.site && c.mode === s.mode)
    || state.catalog.sensors.find((c) => c.site === s.site);
  if (cat && cat.boresight_deg !== null && cat.boresight_deg !== undefined) return cat.boresight_deg;
  const site = s.site && siteBySlug(s.site);
  return site && site.boresight_deg !== undefined ? site.boresight_deg : null;
}
function uniqueName(base, taken) {
  if (!taken.includes(base)) return base;
  for (let i = 2; ; i++) if (!taken.includes(`${base}-${i}`)) return `${base}-${i}`;
}

// ---------------------------------------------------------------- the map

let map, layers;
function initMap() {
  map = L.map("map", { zoomSnap: 0.25, worldCopyJump: false, attributionControl: true });
  map.attributionControl.setPrefix("Leaflet · Natural Earth (public domain)");
  map.createPane("land").style.zIndex = 250;  // under the overlays (400): drawn late, it must not cover them
  layers = {
    base: L.layerGroup().addTo(map), sites: L.layerGroup().addTo(map), siteLabels: L.layerGroup(),
    setup: L.layerGroup().addTo(map), tracks: L.layerGroup().addTo(map),
    footprint: L.layerGroup().addTo(map), picks: L.layerGroup().addTo(map),
  };
  map.setView([37.0, 127.8], 6);
  const showLabels = () => {
    if (map.getZoom() >= LABEL_MIN_ZOOM) layers.siteLabels.addTo(map); else layers.siteLabels.remove();
  };
  map.on("zoomend", showLabels);
  showLabels();
  map.on("click", (e) => {
    if (!state.pick) return;
    const p = state.pick; state.pick = null;
    document.querySelectorAll("button.pick.active").forEach((b) => b.classList.remove("active"));
    $("#pick-hint").hidden = true;
    $("#map").style.cursor = "";
    p.done([Number(e.latlng.lat.toFixed(4)), Number(e.latlng.lng.toFixed(4))]);
  });
  const legend = L.control({ position: "bottomleft" });
  legend.onAdd = () => h("div", { class: "map-legend", id: "map-legend" },
    h("div", {}, h("span", { class: "swatch", style: "background:#1f5fa8" }), "battery, its reach"),
    h("div", {}, h("span", { class: "swatch", style: "background:#7a3db8" }), "radar, its fan"),
    h("div", {}, h("span", { class: "swatch", style: "background:#c0392b" }), "launch area → aim point"),
    h("div", { id: "legend-tracks", hidden: true },
      h("div", {}, h("span", { class: "swatch", style: `background:${COLORS.stopped}` }), "stopped in ≥ 90% of trials"),
      h("div", {}, h("span", { class: "swatch", style: `background:${COLORS.partly}` }), "stopped sometimes"),
      h("div", {}, h("span", { class: "swatch", style: `background:${COLORS.leaked}` }), "stopped in < 10%")));
  legend.addTo(map);
}

async function drawBaseMap() {
  const gj = await api("/api/map");
  const style = (f) => {
    const kind = f.properties && f.properties.kind;
    if (kind === "land") return { stroke: false, fillColor: "#f4f1ea", fillOpacity: 1 };
    if (kind === "border") return { color: "#9a8a74", weight: 1, dashArray: "4 3", fill: false };
    return { color: "#7b8d9e", weight: 0.8, fill: false };
  };
  const order = { land: 0, coast: 1, border: 2 };
  const features = [...(gj.features || [])].sort((a, b) =>
    (order[(a.properties || {}).kind] ?? 3) - (order[(b.properties || {}).kind] ?? 3));
  L.geoJSON({ type: "FeatureCollection", features }, { style, interactive: false, pane: "land" }).addTo(layers.base);
}

const LABEL_MIN_ZOOM = 6.5;  // site names drawn from this zoom on (the peninsula fills the map)
function drawSites() {
  layers.sites.clearLayers(); layers.siteLabels.clearLayers();
  for (const s of state.catalog.sites) {
    let name = (s.name || s.slug).split(" (")[0].split(",")[0];
    if (name.length > 26) name = name.slice(0, 25) + "…";
    const label = h("span", { title: s.name }, name);
    L.marker([s.lat_deg, s.lon_deg], { interactive: false, keyboard: false,
      icon: L.divIcon({ className: "site-name", html: label.outerHTML, iconSize: null, iconAnchor: [-6, 7] }) })
      .addTo(layers.siteLabels);
    L.circleMarker([s.lat_deg, s.lon_deg], { radius: 3, color: "#33414f", weight: 1, fillColor: "#fff", fillOpacity: 1 })
      .bindTooltip(s.name || s.slug, { direction: "right", offset: [4, 0], className: "site-label", permanent: false })
      .on("click", forwardPick)
      .addTo(layers.sites);
  }
}

function fanPolygon(lat, lon, boresight, halfWidth, rangeKm) {
  const pts = [[lat, lon]];
  for (let a = -halfWidth; a <= halfWidth + 1e-9; a += 4) pts.push(destination(lat, lon, boresight + a, rangeKm));
  pts.push([lat, lon]);
  return pts;
}

function drawSetup() {
  layers.setup.clearLayers();
  const d = state.setup.defense;
  (d.sensors || []).forEach((s, i) => {
    const at = placeOf(s); if (!at) return;
    const bore = sensorBoresight(s), info = modeInfo(s.mode || "terminal", s.name);
    if (bore !== null && info) {
      L.polygon(fanPolygon(at[0], at[1], bore, info.half_width_deg, info.range_km),
        { color: "#7a3db8", weight: 1, fillColor: "#7a3db8", fillOpacity: 0.07, interactive: false }).addTo(layers.setup);
    }
    const m = L.marker(at, { draggable: true, title: `radar ${s.name || i + 1}`,
      icon: L.divIcon({ className: "", html: '<div class="icon-sensor"></div>', iconSize: [16, 14], iconAnchor: [8, 9] }) })
      .bindTooltip(`Radar ${s.name || ""}: ${s.mode || "terminal"} mode, boresight ${fmt(bore)}° (drag to move)`)
      .addTo(layers.setup);
    m.on("dragend", () => { const ll = m.getLatLng(); moveItem(s, ll); });
    m.on("click", forwardPick);
  });
  (d.batteries || []).forEach((b, i) => {
    const at = batteryPlace(b); if (!at) return;
    const reach = interceptorReachKm(b);
    if (reach) L.circle(at, { radius: reach * 1000, color: "#1f5fa8", weight: 1, fillOpacity: 0.06, interactive: false }).addTo(layers.setup);
    const m = L.marker(at, { draggable: true, title: `battery ${b.name || b.battery}`,
      icon: L.divIcon({ className: "", html: '<div class="icon-battery"></div>', iconSize: [14, 14], iconAnchor: [7, 7] }) })
      .bindTooltip(`Battery ${b.name || b.battery}${reach ? `: reach ${fmt(reach)} km` : ""} (drag to move)`)
      .addTo(layers.setup);
    m.on("click", forwardPick);
    m.on("dragend", () => {
      const ll = m.getLatLng(), old = batteryPlace(b);
      // the battery's own radar moves with it when it stood at the same place
      for (const s of d.sensors || []) {
        const sp = placeOf(s);
        if (s.battery === (b.name || b.battery) && sp && old && distanceKm(sp[0], sp[1], old[0], old[1]) < 1) moveItem(s, ll, false);
      }
      moveItem(b, ll);
    });
  });
  for (const a of d.assets || []) {
    const at = placeOf(a); if (!at) continue;
    L.circle(at, { radius: (a.radius_km ?? 20) * 1000, color: "#1a7f37", weight: 1.5, fillColor: "#1a7f37", fillOpacity: 0.08 })
      .bindTooltip(`defended: ${a.name}`).addTo(layers.setup);
  }
  state.setup.raid.forEach((g) => {
    const from = launchCentre(g.launch), to = placeOf(g.aim);
    if (from && g.launch.area) L.circle(from, { radius: g.launch.area.radius_km * 1000, color: "#c0392b", weight: 1, fillOpacity: 0.08, interactive: false }).addTo(layers.setup);
    if (from) L.circleMarker(from, { radius: 4, color: "#c0392b", fillColor: "#c0392b", fillOpacity: 1 }).bindTooltip(`launch: ${g.name || g.missile}`).addTo(layers.setup);
    if (to) L.circleMarker(to, { radius: 6, color: "#c0392b", weight: 2, fill: false }).bindTooltip(`aim: ${placeLabel(g.aim)}`).addTo(layers.setup);
    if (from && to && !state.result) L.polyline([from, to], { color: "#c0392b", weight: 1.2, dashArray: "5 4", interactive: false }).addTo(layers.setup);
  });
}

// a click on a marker while the page waits for a map click is that map click
function forwardPick(e) {
  if (!state.pick) return;
  L.DomEvent.stop(e);
  map.fire("click", { latlng: e.latlng });
}

function moveItem(item, ll, redraw = true) {
  delete item.site;
  item.lat_deg = Number(ll.lat.toFixed(4));
  item.lon_deg = Number(ll.lng.toFixed(4));
  if (redraw) setupChanged();
}

function fitToSetup() {
  const pts = [];
  for (const b of state.setup.defense.batteries || []) { const p = batteryPlace(b); if (p) pts.push(p); }
  for (const s of state.setup.defense.sensors || []) { const p = placeOf(s); if (p) pts.push(p); }
  for (const g of state.setup.raid) { const a = launchCentre(g.launch), b = placeOf(g.aim); if (a) pts.push(a); if (b) pts.push(b); }
  if (pts.length) map.fitBounds(L.latLngBounds(pts).pad(0.15), { maxZoom: 7.5 });
}

function startPick(button, hint, done) {
  document.querySelectorAll("button.pick.active").forEach((b) => b.classList.remove("active"));
  if (button) button.classList.add("active");
  state.pick = { done };
  $("#pick-hint").textContent = hint + " (Esc to stop)";
  $("#pick-hint").hidden = false;
  $("#map").style.cursor = "crosshair";
}

// ---------------------------------------------------------------- the side panel

function fillSelect(sel, options, value) {
  sel.replaceChildren(...options.map(([v, label]) => h("option", { value: v }, label)));
  if (value !== undefined) sel.value = value;
}

function numberInput(value, field, onchange, attrs = {}) {
  return h("input", { type: "number", value: value ?? "", "data-field": field, ...attrs,
    onchange: (e) => onchange(e.target.value === "" ? null : Number(e.target.value)) });
}

function renderBatteries() {
  const d = state.setup.defense;
  $("#batteries-list").replaceChildren(...(d.batteries || []).map((b, i) => {
    const kind = batteryKind(b.battery), reach = interceptorReachKm(b);
    return h("li", { "data-field": `defense.batteries[${i}]` },
      h("div", { class: "head" },
        h("span", {}, h("span", { class: "title" }, b.name || b.battery), " ",
          h("span", { class: "sub" }, kind ? kind.name : b.battery)),
        h("button", { class: "remove", type: "button", title: "Remove this battery and its own radar", onclick: () => {
          const name = b.name || b.battery;
          d.batteries.splice(i, 1);
          d.sensors = (d.sensors || []).filter((s) => s.battery !== name);
          setupChanged();
        } }, "✕")),
      h("div", { class: "sub" }, `at ${placeLabel(b.site || b.lat_deg !== undefined ? b : { site: kind && kind.site })}`,
        reach ? ` · reach ${fmt(reach)} km` : ""),
      h("div", { class: "controls" },
        h("label", {}, "launchers ", numberInput(b.launchers, `defense.batteries[${i}].launchers`,
          (v) => { if (v === null) delete b.launchers; else b.launchers = v; setupChanged(false); }, { min: 1, step: 1, placeholder: "catalog" })),
        h("label", {}, "per launcher ", numberInput(b.interceptors_per_launcher, `defense.batteries[${i}].interceptors_per_launcher`,
          (v) => { if (v === null) delete b.interceptors_per_launcher; else b.interceptors_per_launcher = v; setupChanged(false); }, { min: 1, step: 1, placeholder: "catalog" }))));
  }));
}

function renderSensors() {
  const d = state.setup.defense;
  const modes = state.catalog.radar_modes || ["terminal", "forward-based"];
  $("#sensors-list").replaceChildren(...(d.sensors || []).map((s, i) => {
    const info = modeInfo(s.mode || "terminal", s.name);
    return h("li", { "data-field": `defense.sensors[${i}]` },
      h("div", { class: "head" },
        h("span", {}, h("span", { class: "title" }, s.name || `radar ${i + 1}`), " ",
          h("span", { class: "sub" }, `AN/TPY-2 at ${placeLabel(s)}${s.battery ? ` · feeds ${s.battery}` : ""}`)),
        h("button", { class: "remove", type: "button", title: "Remove this radar", onclick: () => { d.sensors.splice(i, 1); setupChanged(); } }, "✕")),
      h("div", { class: "controls" },
        h("label", {}, "mode ", (() => {
          const sel = h("select", { "data-field": `defense.sensors[${i}].mode`, onchange: (e) => { s.mode = e.target.value; setupChanged(); } });
          fillSelect(sel, modes.map((m) => [m, m]), s.mode || "terminal");
          return sel;
        })()),
        h("label", {}, "boresight, ° from north ", numberInput(sensorBoresight(s), `defense.sensors[${i}].boresight_deg`,
          (v) => { if (v === null) delete s.boresight_deg; else s.boresight_deg = v; setupChanged(); }, { min: 0, max: 360, step: 5 })),
        info ? h("span", {}, `range ${fmt(info.range_km)} km`) : null));
  }));
}

function renderAssets() {
  const d = state.setup.defense;
  d.assets = d.assets || [];
  $("#assets-list").replaceChildren(...d.assets.map((a, i) => h("li", { "data-field": `defense.assets[${i}]` },
    h("span", {}, h("span", { class: "title" }, a.name), h("span", { class: "sub" }, ` within ${fmt(a.radius_km ?? 20)} km of ${placeLabel(a)}`)),
    h("button", { class: "remove", type: "button", title: "Stop defending this place", onclick: () => { d.assets.splice(i, 1); setupChanged(); } }, "✕"))));
  if (!d.assets.length) $("#assets-list").append(h("li", { class: "sub" }, d.engage_all ? "every threat is engaged (engage_all)" : "none: add a threat with “defend the aim point”"));
}

function renderThreats() {
  const raid = state.setup.raid;
  $("#threats-list").replaceChildren(...raid.map((g, i) => {
    const m = missileBySlug(g.missile);
    return h("li", { "data-field": `raid[${i}]` },
      h("div", { class: "head" },
        h("span", {}, h("span", { class: "title" }, g.name || `${m ? m.name : g.missile}`)),
        h("button", { class: "remove", type: "button", title: "Remove this group", onclick: () => { raid.splice(i, 1); setupChanged(); } }, "✕")),
      h("div", { class: "sub" }, `${m ? m.name : g.missile}${m && m.range_km ? ` (${fmt(m.range_km)} km)` : ""} · ${g.shape || "min-energy"} · from ${placeLabel(g.launch)} to ${placeLabel(g.aim)}`),
      h("div", { class: "controls" },
        h("label", {}, "count ", numberInput(g.count ?? 1, `raid[${i}].count`, (v) => { g.count = v; setupChanged(false); }, { min: 1, step: 1 })),
        h("label", {}, "launch at, s ", numberInput(g.launch_t_s ?? 0, `raid[${i}].launch_t_s`, (v) => { g.launch_t_s = v; setupChanged(false); }, { min: 0, step: 1 }))));
  }));
}

function renderRunFields() {
  const d = state.setup.defense, r = state.setup.run || (state.setup.run = {});
  $("#doctrine").value = d.doctrine || "shoot-look-shoot";
  $("#trials").value = r.trials ?? 100;
  $("#seed").value = r.seed ?? 0;
  fillSelect($("#fp-battery"), (d.batteries || []).map((b, i) => [String(i), b.name || b.battery]));
}

function renderAll() {
  renderBatteries(); renderSensors(); renderAssets(); renderThreats(); renderRunFields(); drawSetup();
}

function setupChanged(redraw = true) {
  clearErrors();
  if (redraw) renderAll(); else drawSetup();
  saveToUrl();
}

// ---------------------------------------------------------------- errors next to fields

function clearErrors() {
  document.querySelectorAll(".field-error.inline").forEach((e) => e.remove());
  document.querySelectorAll(".has-error").forEach((e) => e.classList.remove("has-error"));
  for (const id of ["#message", "#t-error", "#fp-error"]) { $(id).hidden = true; $(id).textContent = ""; }
}

// the element whose data-field is the longest prefix of the server's field
function elementForField(field) {
  if (!field) return null;
  let best = null, bestLen = -1;
  for (const el of document.querySelectorAll("[data-field]")) {
    const f = el.getAttribute("data-field");
    if ((field === f || field.startsWith(f + ".") || field.startsWith(f + "[")) && f.length > bestLen) { best = el; bestLen = f.length; }
  }
  return best;
}

function showError(err, fallback = "#message") {
  const text = err instanceof ApiError ? err.message : "Something went wrong in the page: " + String(err && err.message || err);
  const el = err instanceof ApiError ? elementForField(err.field) : null;
  if (el) {
    el.classList.add("has-error");
    const box = h("div", { class: "field-error inline", role: "alert" }, text);
    if (el.tagName === "LI" || el.tagName === "UL") el.append(box); else (el.closest("label") || el).after(box);
    el.scrollIntoView({ block: "nearest" });
  }
  // the message also by the button pressed, so it is seen
  $(fallback).textContent = el ? `${text} (see the field marked in red)` : text;
  $(fallback).hidden = false;
}

// ---------------------------------------------------------------- threats form

function renderThreatForm() {
  const missiles = state.catalog.missiles;
  fillSelect($("#t-missile"), missiles.map((m) => [m.slug, `${m.name} — ${fmt(m.range_km)} km`]), "scud-c");
  if (!$("#t-missile").value && missiles.length) $("#t-missile").value = missiles[0].slug;
  const sites = [["", "— a site —"], ...state.catalog.sites.map((s) => [s.slug, s.name || s.slug])];
  fillSelect($("#t-launch-site"), sites, "");
  fillSelect($("#t-aim-site"), sites, "");
  fillSelect($("#t-shape"), (state.catalog.shapes || ["min-energy"]).map((s) => [s, s]), "min-energy");
  showMissileRange();
}

function showMissileRange() {
  const m = missileBySlug($("#t-missile").value);
  $("#t-missile-range").textContent = m ? `${m.name}: range ${fmt(m.range_km)} km${m.class ? `, ${m.class}` : ""}${m.country ? `, ${m.country}` : ""}. ${m.notes || ""}` : "";
  drawFormPicks();
}

function drawFormPicks() {
  layers.picks.clearLayers();
  const m = missileBySlug($("#t-missile").value);
  const l = state.form.launch && placeOf(state.form.launch), a = state.form.aim && placeOf(state.form.aim);
  if (l) {
    L.circleMarker(l, { radius: 6, color: "#c77700", fillColor: "#ffe9b3", fillOpacity: 1 }).bindTooltip("new launch point").addTo(layers.picks);
    if (m && m.range_km) L.circle(l, { radius: m.range_km * 1000, color: "#c77700", weight: 1, dashArray: "6 5", fill: false, interactive: false }).addTo(layers.picks);
  }
  if (a) L.circleMarker(a, { radius: 7, color: "#c77700", weight: 2, fill: false }).bindTooltip("new aim point").addTo(layers.picks);
  if (state.fpLaunch) { const p = placeOf(state.fpLaunch); if (p) L.circleMarker(p, { radius: 5, color: "#0b7285", fillColor: "#99e9f2", fillOpacity: 1 }).bindTooltip("footprint launch point").addTo(layers.picks); }
  $("#t-launch-shown").textContent = state.form.launch ? `launch: ${placeLabel(state.form.launch)}` : "";
  $("#t-aim-shown").textContent = state.form.aim ? `aim: ${placeLabel(state.form.aim)}` : "";
  $("#fp-launch-shown").textContent = state.fpLaunch ? `footprint launch point: ${placeLabel(state.fpLaunch)}` : "";
}

// a threat's aim point becomes a defended asset unless one already covers it
function defendPlace(aim) {
  const d = state.setup.defense; d.assets = d.assets || [];
  const at = placeOf(aim); if (!at) return;
  const covered = d.assets.some((a) => { const p = placeOf(a); return p && distanceKm(p[0], p[1], at[0], at[1]) <= (a.radius_km ?? 20); });
  if (covered) return;
  const label = aim.site ? placeLabel(aim) : `Aim point ${d.assets.length + 1}`;
  d.assets.push({ name: uniqueName(label, d.assets.map((a) => a.name)), ...aim, radius_km: 20 });
}

async function addThreats() {
  clearErrors();
  if (!state.form.launch || !state.form.aim) {
    $("#t-error").textContent = "Pick a launch point and an aim point first (a site, or click on the map).";
    $("#t-error").hidden = false; return;
  }
  const slug = $("#t-missile").value, m = missileBySlug(slug);
  const radius = Number($("#t-radius").value || 0);
  const launch = radius > 0 ? { area: { ...state.form.launch, radius_km: radius } } : { ...state.form.launch };
  const names = state.setup.raid.map((g) => g.name).filter(Boolean);
  const group = {
    name: uniqueName(`${m ? m.name : slug} on ${placeLabel(state.form.aim)}`, names),
    missile: slug, count: Number($("#t-count").value), launch, aim: { ...state.form.aim },
    shape: $("#t-shape").value, launch_t_s: Number($("#t-time").value || 0),
  };
  // the server checks the group with the scenario's own schema before it joins the setup
  const trial = JSON.parse(JSON.stringify(state.setup));
  trial.raid.push(group);
  $("#t-add").disabled = true;
  try {
    await api("/api/validate", { method: "POST", body: { setup: trial } });
  } catch (e) {
    $("#t-add").disabled = false;
    if (e instanceof ApiError && e.field && e.field.startsWith(`raid[${trial.raid.length - 1}]`)) {
      const sub = e.field.slice(`raid[${trial.raid.length - 1}]`.length).replace(/^\./, "");
      const target = { missile: "#t-missile", count: "#t-count", launch_t_s: "#t-time", shape: "#t-shape", aim: "#t-aim-site", launch: "#t-launch-site" }[sub.split(/[.[]/)[0]];
      if (target) $(target).classList.add("has-error");
      $("#t-error").textContent = e.message; $("#t-error").hidden = false; return;
    }
    if (!(e instanceof ApiError) || e.status === 0) { showError(e, "#t-error"); return; }
    // a problem elsewhere in the setup: add the group, show the message where it belongs
    state.setup.raid.push(group); setupChanged(); showError(e, "#t-error"); return;
  }
  $("#t-add").disabled = false;
  state.setup.raid.push(group);
  if ($("#t-defend").checked) defendPlace(group.aim);
  state.form = { launch: null, aim: null };
  $("#t-launch-site").value = ""; $("#t-aim-site").value = "";
  setupChanged();
}

// ---------------------------------------------------------------- run, progress, cancel

function setBusy(busy) {
  $("#run").disabled = busy; $("#cancel").hidden = !busy;
  $("#progress-box").hidden = !busy && !$("#progress-text").textContent;
}

async function poll(id, onProgress) {
  for (;;) {
    const job = await api(`/api/runs/${encodeURIComponent(id)}`);
    onProgress(job);
    if (["done", "failed", "cancelled"].includes(job.state)) return job;
    await new Promise((r) => setTimeout(r, 400));
  }
}

function showProgress(job) {
  const p = Math.max(0, Math.min(1, job.progress || 0));
  $("#progress-bar").style.width = `${(100 * p).toFixed(0)}%`;
  const stage = job.state === "queued" ? "waiting for a free worker" : (job.stage || job.state);
  $("#progress-text").textContent = `${stage} · ${fmt(100 * p)}% · ${fmt(job.elapsed_s || 0, 1)} s`;
}

async function run() {
  clearErrors();
  readRunFields();
  $("#progress-text").textContent = "";
  setBusy(true); $("#progress-box").hidden = false;
  $("#progress-bar").style.width = "0%"; $("#progress-text").textContent = "sending the setup";
  try {
    const job = await api("/api/runs", { method: "POST", body: { setup: state.setup } });
    state.runId = job.id;
    const end = await poll(job.id, showProgress);
    if (end.state === "done") {
      state.lastRunId = end.id || job.id;
      $("#download-report").disabled = false;
      showResult(end.result);
      $("#progress-text").textContent = `done in ${fmt(end.elapsed_s || 0, 1)} s`;
    } else if (end.state === "cancelled") {
      $("#progress-text").textContent = "cancelled";
    } else {
      showError(new ApiError(end.error || "The run failed.", end.field || null, 400));
      $("#progress-text").textContent = "failed";
    }
  } catch (e) {
    showError(e);
    $("#progress-text").textContent = "";
  } finally {
    state.runId = null; setBusy(false);
  }
}

async function cancel() {
  if (!state.runId) return;
  try { await api(`/api/runs/${encodeURIComponent(state.runId)}`, { method: "DELETE" }); } catch (e) { showError(e); }
}

function readRunFields() {
  const r = state.setup.run || (state.setup.run = {});
  const num = (id) => ($(id).value === "" ? null : Number($(id).value));
  r.trials = num("#trials"); r.seed = num("#seed");
  state.setup.defense.doctrine = $("#doctrine").value;
  saveToUrl();
}

// ---------------------------------------------------------------- results

function threatColor(pKilled) {
  if (pKilled === null || pKilled === undefined) return COLORS.none;
  if (pKilled >= 0.9) return COLORS.stopped;
  if (pKilled >= 0.1) return COLORS.partly;
  return COLORS.leaked;
}

function showResult(res) {
  state.result = res;
  $("#results").hidden = false;
  const s = res.summary || {};
  $("#p-no-leak").textContent = pct(s.p_no_leak, 1);
  const ci = s.p_no_leak_ci95;
  $("#p-ci").textContent = ci ? `95% interval ${pct(ci[0], 1)} – ${pct(ci[1], 1)}, ${fmt(s.trials)} trials, seed ${s.seed}` : "";
  $("#headline-more").textContent = `expected leakers ${fmt(s.expected_leakers, 2)} of ${fmt(s.threats)} threats · interceptors used ${fmt(s.interceptors_used, 1)} per raid · threats stopped ${pct(s.intercepted_fraction, 1)}`;
  drawTracks(res); drawChart(res); fillOutcomes(res); fillClaims(res.claims || []);
  drawSetup(); renderBatteries(); renderSensors();
  $("#legend-tracks").hidden = false;
  $("#results").scrollIntoView({ behavior: "smooth", block: "start" });
}

function drawTracks(res) {
  layers.tracks.clearLayers();
  const byIndex = new Map((res.threats || []).map((t) => [t.index, t]));
  for (const tr of res.tracks || []) {
    const t = byIndex.get(tr.index);
    const pts = tr.lat_deg.map((lat, k) => [lat, tr.lon_deg[k]]);
    L.polyline(pts, { color: threatColor(t && t.p_killed), weight: 2.2, opacity: 0.85 })
      .bindTooltip(`#${tr.index} ${tr.group}: stopped in ${pct(t && t.p_killed)} of trials`)
      .addTo(layers.tracks);
  }
}

function trackX(tr, mode) {
  if (mode === "time") return tr.t_s;
  const lat0 = tr.lat_deg[0], lon0 = tr.lon_deg[0];
  return tr.lat_deg.map((lat, k) => distanceKm(lat0, lon0, lat, tr.lon_deg[k]));
}

function drawChart(res) {
  if (typeof Plotly === "undefined") {
    $("#chart").replaceChildren(h("p", { class: "field-error" }, "The chart library (plotly.min.js) did not load; the table below has every number."));
    return;
  }
  const mode = $("#chart-x").value;
  const band = res.band_km || (state.catalog.band_km_default || [40, 150]);
  const byIndex = new Map((res.threats || []).map((t) => [t.index, t]));
  const traces = (res.tracks || []).map((tr) => {
    const t = byIndex.get(tr.index);
    return { type: "scatter", mode: "lines", x: trackX(tr, mode), y: tr.alt_km, name: `#${tr.index} ${tr.group}`,
      line: { color: threatColor(t && t.p_killed), width: 2 },
      hovertemplate: `#${tr.index} ${tr.group}<br>%{x:.0f} ${mode === "time" ? "s" : "km"}, %{y:.0f} km altitude<br>stopped in ${pct(t && t.p_killed)} of trials<extra></extra>` };
  });
  const layout = {
    margin: { l: 56, r: 16, t: 10, b: 44 }, showlegend: (res.tracks || []).length <= 20,
    legend: { font: { size: 11 } },
    xaxis: { title: { text: mode === "time" ? "time since the raid began, s" : "downrange from the launch point, km" }, zeroline: false },
    yaxis: { title: { text: "altitude, km" }, rangemode: "tozero" },
    shapes: [{ type: "rect", xref: "paper", x0: 0, x1: 1, yref: "y", y0: band[0], y1: band[1],
      fillcolor: "rgba(31,95,168,0.10)", line: { width: 0 }, layer: "below" }],
    annotations: [{ xref: "paper", x: 0.995, xanchor: "right", yref: "y", y: band[1], yanchor: "top",
      text: `THAAD intercept band ${band[0]}–${band[1]} km`, showarrow: false, font: { size: 11, color: "#1f5fa8" } }],
    plot_bgcolor: "#fff", paper_bgcolor: "#fff", font: { family: "system-ui, sans-serif", size: 12 },
  };
  Plotly.react("chart", traces, layout, { displaylogo: false, responsive: true });
}

function reasonText(reasons) {
  return Object.entries(reasons || {}).sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r.replace(/_/g, " ")}: ${n}`).join("; ");
}

function fillOutcomes(res) {
  const rows = (res.threats || []).map((t) => {
    const m = missileBySlug(t.missile);
    return h("tr", {},
      h("td", { class: "num" }, t.index),
      h("td", {}, t.group),
      h("td", {}, m ? m.name : t.missile),
      h("td", { class: "num" }, h("span", { class: "swatch", style: `background:${threatColor(t.p_killed)}` }), pct(t.p_killed)),
      h("td", {}, reasonText(t.reasons)),
      h("td", { class: "num" }, t.time_in_band_s === null || t.time_in_band_s === undefined ? "–" : `${fmt(t.time_in_band_s)} s`));
  });
  $("#outcomes tbody").replaceChildren(...rows);
  const details = (res.summary && res.summary.reason_details) || [];
  // the engine's one-sentence explanation of each reason, where it says more than the name
  const list = Array.isArray(details) ? details : Object.values(details);
  const texts = list.filter((d) => d && d.text && d.text.replace(/_/g, " ") !== String(d.reason).replace(/_/g, " "))
    .map((d) => `${String(d.reason).replace(/_/g, " ")}: ${d.text}`);
  $("#reason-notes").replaceChildren(...texts.map((t) => h("div", {}, "• " + t)));
}

function numbersText(numbers) {
  return Object.entries(numbers || {}).map(([k, v]) => {
    const val = typeof v === "number" ? fmt(v, Math.abs(v) < 10 && !Number.isInteger(v) ? 2 : 0)
      : Array.isArray(v) ? v.map((x) => (typeof x === "number" ? fmt(x, 2) : String(x))).join(" – ") : String(v);
    return `${k.replace(/_/g, " ")}: ${val}`;
  }).join(" · ");
}

function fillClaims(claims) {
  $("#claims tbody").replaceChildren(...claims.map((c) => {
    const n = Object.keys(c.numbers || {}).length;
    return h("tr", {},
      h("td", { class: "claim" }, c.claim),
      h("td", { class: `verdict v-${String(c.verdict).replace(/[^a-z]+/gi, "-")}` }, c.verdict),
      h("td", {}, h("div", {}, c.summary || ""),
        n ? h("details", { class: "numbers" }, h("summary", {}, `the ${n} numbers behind it`), numbersText(c.numbers)) : null));
  }));
}

// ---------------------------------------------------------------- footprint

function renderFootprintForm() {
  fillSelect($("#fp-missile"), state.catalog.missiles.map((m) => [m.slug, `${m.name} — ${fmt(m.range_km)} km`]), "scud-c");
  fillSelect($("#fp-launch-site"), [["", "— a site —"], ...state.catalog.sites.map((s) => [s.slug, s.name || s.slug])], "pyongyang");
  state.fpLaunch = $("#fp-launch-site").value ? { site: $("#fp-launch-site").value } : null;
}

async function footprint() {
  clearErrors();
  readRunFields();
  if (!state.fpLaunch) { $("#fp-error").textContent = "Pick a launch point (a site, or on the map)."; $("#fp-error").hidden = false; return; }
  const body = { setup: state.setup, battery: Number($("#fp-battery").value || 0), missile: $("#fp-missile").value,
    launch: state.fpLaunch, shape: "min-energy", grid_km: Number($("#fp-grid").value) };
  $("#fp-run").disabled = true; $("#fp-cancel").hidden = false;
  try {
    const job = await api("/api/footprint", { method: "POST", body });
    state.fpJob = job.id;
    const end = await poll(job.id, (j) => { $("#fp-progress").textContent = `${j.stage || j.state} · ${fmt(100 * (j.progress || 0))}% · ${fmt(j.elapsed_s || 0, 1)} s`; });
    if (end.state === "done") {
      const r = end.result;
      layers.footprint.clearLayers();
      L.geoJSON(r.polygon, { style: { color: "#0b7285", weight: 2, fillColor: "#15aabf", fillOpacity: 0.25 } })
        .bindTooltip(`footprint of ${r.battery} against ${r.missile}: ${fmt(r.area_km2)} km²`).addTo(layers.footprint);
      $("#fp-progress").textContent = `Defended footprint of ${r.battery} against the ${(missileBySlug(r.missile) || {}).name || r.missile}: ${fmt(r.area_km2)} km² (grid ${fmt(r.grid_km)} km). Drawn in teal on the map.`;
    } else if (end.state === "cancelled") {
      $("#fp-progress").textContent = "cancelled";
    } else {
      showError(new ApiError(end.error || "The footprint failed.", end.field || null, 400), "#fp-error");
      $("#fp-progress").textContent = "";
    }
  } catch (e) {
    showError(e, "#fp-error"); $("#fp-progress").textContent = "";
  } finally {
    state.fpJob = null; $("#fp-run").disabled = false; $("#fp-cancel").hidden = true;
  }
}

// ---------------------------------------------------------------- export, report, link

async function exportYaml() {
  clearErrors(); readRunFields();
  try {
    const resp = await api("/api/export", { method: "POST", body: { setup: state.setup }, raw: true });
    const blob = await resp.blob();
    const name = `${(state.setup.name || "setup").replace(/[^A-Za-z0-9._-]+/g, "-")}.yaml`;
    const a = h("a", { href: URL.createObjectURL(blob), download: name });
    document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  } catch (e) { showError(e); }
}

function downloadReport() {
  if (!state.lastRunId) return;
  const a = h("a", { href: `/api/runs/${encodeURIComponent(state.lastRunId)}/report`, download: "" });
  document.body.append(a); a.click(); a.remove();
}

async function copyLink() {
  readRunFields();
  await hashWrite;
  const btn = $("#copy-link");
  try { await navigator.clipboard.writeText(location.href); btn.textContent = "Link copied"; } catch (e) {
    window.prompt("Copy this link: it reproduces the setup", location.href); return;
  }
  setTimeout(() => { btn.textContent = "Copy link"; }, 1500);
}

// ---------------------------------------------------------------- loading a setup

function setSetup(setup, { fit = true } = {}) {
  state.setup = setup;
  state.setup.defense = state.setup.defense || {};
  state.setup.defense.batteries = state.setup.defense.batteries || [];
  if (!state.setup.defense.sensors && state.setup.defense.radars) {
    state.setup.defense.sensors = state.setup.defense.radars; delete state.setup.defense.radars;
  }
  state.setup.defense.sensors = state.setup.defense.sensors || [];
  state.setup.raid = state.setup.raid || [];
  state.result = null; layers.tracks.clearLayers(); layers.footprint.clearLayers();
  $("#results").hidden = true; $("#legend-tracks").hidden = true;
  $("#download-report").disabled = true; state.lastRunId = null;
  $("#scenario-description").textContent = setup.description || "";
  clearErrors(); renderAll(); saveToUrl();
  if (fit) fitToSetup();
}

async function loadScenario(name) {
  clearErrors();
  try {
    const s = await api(`/api/scenarios/${encodeURIComponent(name)}`);
    const quick = state.catalog.trials_default, asked = s.setup.run && s.setup.run.trials;
    if (quick && asked && asked > quick) {
      s.setup.run.trials = quick;
      $("#trials-note").textContent = `${name} asks for ${asked} trials; the page starts at ${quick} for a quicker answer (set Trials to ${asked} to reproduce \`thaadsim run ${name}\`).`;
      $("#trials-note").hidden = false;
    } else $("#trials-note").hidden = true;
    setSetup(s.setup);
  } catch (e) { showError(e); }
}

// ---------------------------------------------------------------- start

function wire() {
  $("#load-scenario").addEventListener("click", () => loadScenario($("#scenario-select").value));
  $("#doctrine").addEventListener("change", () => { state.setup.defense.doctrine = $("#doctrine").value; saveToUrl(); });
  $("#trials").addEventListener("change", readRunFields);
  $("#seed").addEventListener("change", readRunFields);
  $("#run").addEventListener("click", run);
  $("#cancel").addEventListener("click", cancel);
  $("#t-missile").addEventListener("change", showMissileRange);
  $("#t-launch-site").addEventListener("change", (e) => { state.form.launch = e.target.value ? { site: e.target.value } : null; drawFormPicks(); });
  $("#t-aim-site").addEventListener("change", (e) => { state.form.aim = e.target.value ? { site: e.target.value } : null; drawFormPicks(); });
  $("#t-launch-pick").addEventListener("click", (e) => startPick(e.target, "Click the launch point on the map",
    (ll) => { state.form.launch = { lat_deg: ll[0], lon_deg: ll[1] }; $("#t-launch-site").value = ""; drawFormPicks(); }));
  $("#t-aim-pick").addEventListener("click", (e) => startPick(e.target, "Click the aim point on the map",
    (ll) => { state.form.aim = { lat_deg: ll[0], lon_deg: ll[1] }; $("#t-aim-site").value = ""; drawFormPicks(); }));
  $("#t-add").addEventListener("click", addThreats);
  $("#add-battery-site").addEventListener("click", () => addBattery(null));
  $("#add-battery-map").addEventListener("click", (e) => startPick(e.target, "Click where the battery should stand", (ll) => addBattery(ll)));
  $("#add-sensor-site").addEventListener("click", () => addSensor(null));
  $("#add-sensor-map").addEventListener("click", (e) => startPick(e.target, "Click where the radar should stand", (ll) => addSensor(ll)));
  $("#chart-x").addEventListener("change", () => { if (state.result) drawChart(state.result); });
  $("#fp-run").addEventListener("click", footprint);
  $("#fp-cancel").addEventListener("click", async () => {
    if (state.fpJob) try { await api(`/api/runs/${encodeURIComponent(state.fpJob)}`, { method: "DELETE" }); } catch (e) { showError(e, "#fp-error"); }
  });
  $("#fp-launch-site").addEventListener("change", (e) => { state.fpLaunch = e.target.value ? { site: e.target.value } : null; drawFormPicks(); });
  $("#fp-launch-pick").addEventListener("click", (e) => startPick(e.target, "Click the footprint's launch point",
    (ll) => { state.fpLaunch = { lat_deg: ll[0], lon_deg: ll[1] }; $("#fp-launch-site").value = ""; drawFormPicks(); }));
  $("#export-yaml").addEventListener("click", exportYaml);
  $("#download-report").addEventListener("click", downloadReport);
  $("#copy-link").addEventListener("click", copyLink);
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && state.pick) {
      state.pick = null; $("#pick-hint").hidden = true; $("#map").style.cursor = "";
      document.querySelectorAll("button.pick.active").forEach((b) => b.classList.remove("active"));
    }
  });
  window.addEventListener("hashchange", async () => {
    try { const s = await decodeSetup(location.hash); if (s && JSON.stringify(s) !== JSON.stringify(state.setup)) setSetup(s); } catch (e) { /* a hand-edited hash */ }
  });
}

function addBattery(ll) {
  const kind = batteryKind($("#add-battery-kind").value); if (!kind) return;
  const d = state.setup.defense;
  const name = uniqueName(kind.slug, d.batteries.map((b) => b.name || b.battery));
  const b = { battery: kind.slug, name };
  if (ll) { b.lat_deg = ll[0]; b.lon_deg = ll[1]; } else b.site = kind.site;
  d.batteries.push(b);
  if (kind.radar_mode) {  // a THAAD battery's own AN/TPY-2, facing the threats' launch points
    const at = batteryPlace(b);
    const s = { name: uniqueName(name, d.sensors.map((x) => x.name).filter(Boolean)), mode: kind.radar_mode,
      battery: name, boresight_deg: Math.round(bearingToThreats(at, b.site)) };
    if (ll) { s.lat_deg = ll[0]; s.lon_deg = ll[1]; } else s.site = kind.site;
    d.sensors.push(s);
  }
  setupChanged();
}

// the bearing from a place to the mean launch point of the raid (the site's own boresight or
// north when there is no threat yet), rounded to 5 deg
function bearingToThreats(at, site) {
  const launches = state.setup.raid.map((g) => launchCentre(g.launch)).filter(Boolean);
  if (!launches.length || !at) {
    const s = site && siteBySlug(site);
    return s && s.boresight_deg !== null && s.boresight_deg !== undefined ? s.boresight_deg : 0;
  }
  const lat = launches.reduce((t, p) => t + p[0], 0) / launches.length;
  const lon = launches.reduce((t, p) => t + p[1], 0) / launches.length;
  const y = Math.sin(rad(lon - at[1])) * Math.cos(rad(lat));
  const x = Math.cos(rad(at[0])) * Math.sin(rad(lat)) - Math.sin(rad(at[0])) * Math.cos(rad(lat)) * Math.cos(rad(lon - at[1]));
  return Math.round(((deg(Math.atan2(y, x)) + 360) % 360) / 5) * 5 % 360;
}

function addSensor(ll) {
  const cat = state.catalog.sensors.find((s) => s.slug === $("#add-sensor-kind").value); if (!cat) return;
  const d = state.setup.defense;
  const s = { name: uniqueName(cat.slug, d.sensors.map((x) => x.name).filter(Boolean)), mode: cat.mode, boresight_deg: cat.boresight_deg };
  if (ll) { s.lat_deg = ll[0]; s.lon_deg = ll[1]; s.boresight_deg = bearingToThreats(ll, null); } else s.site = cat.site;
  if (s.boresight_deg === null || s.boresight_deg === undefined) s.boresight_deg = bearingToThreats(placeOf(s), cat.site);
  d.sensors.push(s);
  setupChanged();
}

async function main() {
  initMap(); wire();
  try {
    state.catalog = await api("/api/catalog");
  } catch (e) { showError(e); return; }
  const c = state.catalog;
  fillSelect($("#scenario-select"), c.scenarios.map((s) => [s.name, s.name]));
  $("#scenario-select").addEventListener("change", () => {
    const s = c.scenarios.find((x) => x.name === $("#scenario-select").value);
    $("#scenario-description").textContent = s ? s.description : "";
  });
  fillSelect($("#doctrine"), (c.doctrines || []).map((d) => [d, d]));
  fillSelect($("#add-battery-kind"), c.batteries.map((b) => [b.slug, b.name || b.slug]));
  fillSelect($("#add-sensor-kind"), c.sensors.map((s) => [s.slug, `${s.name || s.slug} (${s.mode})`]));
  if (c.limits && c.limits.trials) { $("#trials").min = c.limits.trials.low; $("#trials").max = c.limits.trials.high; }
  renderThreatForm(); renderFootprintForm(); drawSites();
  drawBaseMap().catch((e) => showError(e));
  let setup = null;
  if (location.hash.length > 3) {
    try { setup = await decodeSetup(location.hash); } catch (e) {
      showError(new ApiError("The link's setup could not be read (it may be cut short); the default scenario is shown instead.", null, 400));
    }
  }
  if (setup) setSetup(setup);
  else await loadScenario(c.scenarios.some((s) => s.name === "korea-2017") ? "korea-2017" : c.scenarios[0].name);
  if (state.setup && state.setup.name) $("#scenario-select").value = state.setup.name;
  document.body.dataset.ready = "1";  // for the browser tests: the page has its setup
}

main();
