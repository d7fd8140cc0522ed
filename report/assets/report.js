"use strict";
// The report's logic: map, series, ranking and profile drawn from BERICHT (inlined by report/build.py).
(function () {
  const B = BERICHT;
  const SVGNS = "http://www.w3.org/2000/svg";
  const LAST = B.stichtage.length - 1;
  // ColorBrewer YlGnBu, 5 classes: colour-blind safe and readable in greyscale
  const PALETTE = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"];
  const KEIN_WERT = "#d9d9d9";
  // Okabe–Ito colours, each line also with its own dash pattern
  const REIHEN = [
    { key: "gemeinde", farbe: "#0072B2", strich: "" },
    { key: "kreis", farbe: "#D55E00", strich: "7 4" },
    { key: "land", farbe: "#009E73", strich: "2 3" },
    { key: "bund", farbe: "#CC79A7", strich: "10 3 2 3" },
  ];
  const STATUS = {
    gesperrt: "gesperrt (Geheimhaltung)", nicht_berechenbar: "nicht berechenbar (Nenner 0)",
    nicht_verfuegbar: "noch nicht verfügbar", geheim: "geheim (amtlich)", unsicher: "unsicher (amtlich)",
    nicht_sinnvoll: "nicht sinnvoll", noch_nicht_verfuegbar: "noch nicht verfügbar (amtlich)",
    vorlaeufig: "vorläufig", berichtigt: "berichtigt", geschaetzt: "geschätzt", eingeschraenkt: "eingeschränkt",
  };
  const KPI = Object.fromEntries(B.kpis.map((k) => [k.id, k]));
  const $ = (id) => document.getElementById(id);
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  const name = (id) => (B.gebiete[id] ? B.gebiete[id].name : id);
  const level = (l) => Object.keys(B.gebiete).filter((id) => B.gebiete[id].ebene === l).sort();
  const shapeNames = Object.fromEntries(B.karte.formen.map((f) => [f.ags, f.name]));
  const GEMEINDEN = [...new Set([...level("gemeinde"), ...Object.keys(shapeNames)])]
    .sort((a, b) => (B.gebiete[a] ? name(a) : shapeNames[a]).localeCompare(B.gebiete[b] ? name(b) : shapeNames[b], "de"));
  const VERGLEICH = { kreis: level("kreis")[0], land: level("land")[0], bund: level("bund")[0] };
  const gemeindeName = (ags) => (B.gebiete[ags] ? name(ags) : shapeNames[ags] || ags);

  const datum = (iso) => iso.split("-").reverse().join(".");
  const achsenDatum = (iso) => (iso.endsWith("-12-31") ? iso.slice(0, 4) : iso.slice(5, 7) + "/" + iso.slice(0, 4));
  const formats = {};
  function zahl(v, stellen) {
    const f = formats[stellen] || (formats[stellen] = new Intl.NumberFormat("de-DE",
      { minimumFractionDigits: stellen, maximumFractionDigits: stellen }));
    return f.format(v);
  }
  function punkt(kpi, gebiet, i) {
    const r = B.werte[kpi] && B.werte[kpi][gebiet];
    return r ? r[i] : null;
  }
  function anzeige(kpi, p, mitEinheit) {
    if (!p) return "–";
    const k = KPI[kpi];
    if (p[0] === null) return STATUS[p[1]] || p[1] || "–";
    let s = zahl(p[0], k.stellen) + (mitEinheit && k.einheit !== "Anzahl" ? " " + k.einheit : "");
    if (p[1]) s += " (" + (STATUS[p[1]] || p[1]) + ")";
    if (p[2]) s += " [Stand " + datum(p[2]) + "]";
    return s;
  }
  function el(tag, attrs, parent) {
    const e = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (parent) parent.appendChild(e);
    return e;
  }
  function titel(e, text) { el("title", {}, e).textContent = text; }

  // ------------------------------------------------------------------ the forecast (Vorausberechnung), if published
  const P = B.prognose;
  const BASIS_VARIANTE = P ? (P.varianten.find((v) => v.id === "basis") || P.varianten[0]).id : null;
  function prognoseReihe(merkmal, gebiet) {
    // {variant: [value per forecast Stichtag]} or null
    return P && P.werte[merkmal] && P.werte[merkmal][gebiet] ? P.werte[merkmal][gebiet] : null;
  }
  function spanne(reihe, i) {
    const vs = Object.values(reihe).map((r) => r[i]).filter((v) => v !== null && v !== undefined);
    return vs.length ? [Math.min(...vs), Math.max(...vs)] : null;
  }
  function prognoseText(reihe, i, stellen) {
    const b = reihe[BASIS_VARIANTE] ? reihe[BASIS_VARIANTE][i] : null;
    const sp = spanne(reihe, i);
    if (b === null || b === undefined || !sp) return "gesperrt";
    return zahl(b, stellen) + (sp[0] !== sp[1] ? ` (${zahl(sp[0], stellen)} – ${zahl(sp[1], stellen)})` : "");
  }

  // ------------------------------------------------------------------ state (in the URL: #/kpi/<id>/<ags>, #/profil/<ags>)
  const state = { ansicht: "kpi", kpi: B.kpis[0].id, gemeinde: GEMEINDEN[0], seite: null, auswahl: [],
    kartenTag: null, kartenEbene: "gemeinde" };
  const MAX_VERGLEICH = 5;
  // a comparison may hold Gemeinden and Ämter
  const VERGLEICHBAR = [...GEMEINDEN, ...level("amt").sort((a, b) => name(a).localeCompare(name(b), "de"))];
  const SEITEN = Object.fromEntries((B.seiten || []).map((p) => [p.slug, p]));
  function lesen() {
    const teile = decodeURIComponent(location.hash.replace(/^#\/?/, "")).split("/");
    if (teile[0] === "druck") {
      state.ansicht = "druck";
    } else if (teile[0] === "sozialindex") {
      state.ansicht = "sozialindex";
    } else if (teile[0] === "vergleich") {
      state.ansicht = "vergleich";
      if (KPI[teile[1]]) state.kpi = teile[1];
      state.auswahl = [...new Set((teile[2] || "").split(",").filter((a) => VERGLEICHBAR.includes(a)))].slice(0, MAX_VERGLEICH);
    } else if (teile[0] === "seiten" || teile[0] === "seite") {
      state.ansicht = "seite";
      state.seite = SEITEN[teile[1]] ? teile[1] : ((B.seiten || [])[0] || {}).slug || null;
    } else if (teile[0] === "profil") {
      state.ansicht = "profil";
      if (GEMEINDEN.includes(teile[1])) state.gemeinde = teile[1];
    } else {
      state.ansicht = "kpi";
      if (KPI[teile[1]]) state.kpi = teile[1];
      if (GEMEINDEN.includes(teile[2])) state.gemeinde = teile[2];
    }
  }
  function ziel(ansicht, kpi, ags) {
    if (ansicht === "vergleich") return "#/vergleich/" + kpi + "/" + (Array.isArray(ags) ? ags.join(",") : ags);
    return ansicht === "profil" ? "#/profil/" + ags : "#/kpi/" + kpi + "/" + ags;
  }
  function gehe(ansicht, kpi, ags) { location.hash = ziel(ansicht, kpi, ags); }

  // ------------------------------------------------------------------ up to five Gemeinden or Ämter side by side
  const FARBEN_VERGLEICH = [["#0072B2", ""], ["#E69F00", "7 4"], ["#009E73", "2 3"], ["#CC79A7", "10 3 2 3"],
    ["#56B4E9", "4 2 1 2"]];
  function vergleich() {
    const k = KPI[state.kpi];
    const wahl = $("vergleich-wahl");
    if (!wahl.childElementCount) {
      wahl.innerHTML = Array.from({ length: MAX_VERGLEICH }, (_, i) => `<label>Gebiet ${i + 1} <select data-platz="${i}">` +
        `<option value="">–</option>${VERGLEICHBAR.map((a) => `<option value="${a}">${esc(gemeindeName(a))}</option>`).join("")}` +
        `</select></label>`).join("");
      wahl.addEventListener("change", () => {
        const neu = [...wahl.querySelectorAll("select")].map((s) => s.value).filter(Boolean);
        gehe("vergleich", state.kpi, [...new Set(neu)]);
      });
    }
    wahl.querySelectorAll("select").forEach((s, i) => { s.value = state.auswahl[i] || ""; });
    const rs = state.auswahl.map((a, i) => ({ key: "g" + i, gebiet: a, label: gemeindeName(a), farbe: FARBEN_VERGLEICH[i][0],
      strich: FARBEN_VERGLEICH[i][1] })).filter((r) => B.werte[state.kpi] && B.werte[state.kpi][r.gebiet]);
    if (VERGLEICH.kreis && B.werte[state.kpi] && B.werte[state.kpi][VERGLEICH.kreis]) {
      rs.push({ key: "kreis", gebiet: VERGLEICH.kreis, label: name(VERGLEICH.kreis), farbe: "#555555", strich: "1 3" });
    }
    $("vergleich-titel").textContent = `${k.name}: Vergleich von bis zu ${MAX_VERGLEICH} Gemeinden oder Ämtern`;
    zeitreihe("vergleich-reihe", rs, state.auswahl.length ? state.auswahl.map(gemeindeName).join(", ") : "Kreis");
    // one row per area: the value now, a year before, the change, the rank among the Gemeinden
    const vor = B.stichtage.indexOf(`${Number(B.stichtag.slice(0, 4)) - 1}-12-31`);
    const werteJetzt = GEMEINDEN.map((a) => punkt(state.kpi, a, LAST)).filter((p) => p && p[0] !== null).map((p) => p[0]);
    const zeilen = rs.map((r) => {
      const jetzt = punkt(state.kpi, r.gebiet, LAST), davor = vor >= 0 ? punkt(state.kpi, r.gebiet, vor) : null;
      const delta = jetzt && davor && jetzt[0] !== null && davor[0] !== null ? jetzt[0] - davor[0] : null;
      const rang = jetzt && jetzt[0] !== null && GEMEINDEN.includes(r.gebiet) ? 1 + werteJetzt.filter((v) => v > jetzt[0]).length : null;
      return `<tr><th scope="row">${esc(r.label)}</th><td class="zahl">${esc(anzeige(state.kpi, jetzt, false))}</td>` +
        `<td class="zahl">${esc(anzeige(state.kpi, davor, false))}</td>` +
        `<td class="zahl">${delta === null ? "–" : (delta > 0 ? "+" : "") + zahl(delta, k.stellen)}</td>` +
        `<td class="zahl">${rang === null ? "–" : rang + " von " + werteJetzt.length}</td></tr>`;
    });
    $("vergleich-tabelle").innerHTML = `<caption>${esc(k.name)} (${esc(k.einheit)}) am ${datum(B.stichtag)}</caption>` +
      `<thead><tr><th>Gebiet</th><th class="zahl">${datum(B.stichtag)}</th><th class="zahl">${vor >= 0 ? datum(B.stichtage[vor]) : "Vorjahr"}</th>` +
      `<th class="zahl">Veränderung</th><th class="zahl">Rang (Gemeinden)</th></tr></thead><tbody>${zeilen.join("")}</tbody>`;
    $("vergleich-link").setAttribute("href", ziel("vergleich", state.kpi, state.auswahl));
  }

  // ------------------------------------------------------------------ print: the Kreis report for the Kreistag
  // every KPI by Handlungsfeld in the columns' areas; with `link` (a Gemeinde) each KPI leads to its map and series
  function kennzahlTabellen(spalten, link) {
    return B.handlungsfelder.map((feld) => {
      const zeilen = B.kpis.filter((k) => k.feld === feld).map((k) => `<tr><td>${link ? `<a href="${ziel("kpi", k.id, link)}">` +
        `${esc(k.name)}</a>` : esc(k.name)}</td><td>${esc(k.einheit)}</td>` +
        spalten.map(([, id]) => `<td class="zahl">${esc(anzeige(k.id, punkt(k.id, id, LAST), false))}</td>`).join("") + "</tr>");
      return `<h3>${esc(feld)}</h3><table><thead><tr><th>Indikator</th><th>Einheit</th>` +
        spalten.map(([label]) => `<th class="zahl">${esc(label)}</th>`).join("") + `</tr></thead><tbody>${zeilen.join("")}</tbody></table>`;
    }).join("");
  }
  function druck() {
    // the planners' pages in their order, then every KPI of the Kreis against Land and Bund
    const seitenHtml = (B.seiten || []).filter((p) => p.art !== "organisation").map((p) =>
      `<section class="druck-seite"><h2>${esc(p.titel)}</h2>${p.html}${p.empfehlungen.length ? `<table class="empfehlungen"><thead><tr>` +
      `<th>Empfehlung</th><th>Status</th><th>zuständig</th><th>Frist</th></tr></thead><tbody>${p.empfehlungen.map((e) =>
        `<tr><td>${esc(e.titel)}</td><td>${esc(e.status)}</td><td>${esc(e.zustaendig)}</td><td>${esc(e.frist)}</td></tr>`).join("")}` +
      `</tbody></table>` : ""}</section>`).join("");
    const spalten = Object.entries(VERGLEICH).filter(([, id]) => id).map(([, id]) => [name(id), id]);
    $("druck-inhalt").innerHTML = seitenHtml + `<section class="druck-seite"><h2>Alle Indikatoren: ${esc(name(VERGLEICH.kreis) || "Kreis")} ` +
      `im Vergleich, ${datum(B.stichtag)}</h2>${kennzahlTabellen(spalten)}</section>`;
  }

  // ------------------------------------------------------------------ the Sozialindex (status × dynamics classes)
  const SI = B.sozialindex;
  // status classes from high (light) to very low (dark): ColorBrewer Purples, readable in greyscale
  const SI_STATUS = [["hoch", "#f2f0f7"], ["mittel", "#cbc9e2"], ["niedrig", "#9e9ac8"], ["sehr niedrig", "#54278f"]];
  const SI_DYNAMIK = { positiv: "↗ positiv", stabil: "→ stabil", negativ: "↘ negativ" };
  function sozialindex() {
    const svg = $("si-karte");
    svg.replaceChildren();
    if (!SI) { $("si-erklaerung").textContent = "Zu diesem Stichtag ist kein Sozialindex veröffentlicht."; return; }
    svg.setAttribute("viewBox", `0 0 ${B.karte.breite} ${B.karte.hoehe}`);
    schraffur(svg, "si-schraffur");
    const farbe = Object.fromEntries(SI_STATUS);
    for (const f of B.karte.formen) {
      const k = SI.klassen[f.ags];
      let fill = KEIN_WERT, cls = "gemeinde leer", text = "kein Wert";
      if (k && k[2] === "gesperrt") { fill = "url(#si-schraffur)"; cls = "gemeinde gesperrt"; text = "gesperrt (ein Eingangswert ist geheim)"; }
      else if (k && k[0]) { fill = farbe[k[0]]; cls = "gemeinde wert"; text = `Status ${k[0]}` + (k[1] ? `, Dynamik ${k[1]}` : ""); }
      const pfad = el("path", { d: f.d, class: cls, fill, "data-ags": f.ags, "data-status": k && k[0] ? k[0] : "",
        tabindex: 0, role: "button", "aria-label": `${f.name}: ${text}` }, svg);
      titel(pfad, `${f.name}: ${text}`);
      pfad.addEventListener("click", () => gehe("profil", state.kpi, f.ags));
      pfad.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); gehe("profil", state.kpi, f.ags); } });
    }
    $("si-legende").innerHTML = `<ul class="legende" aria-label="Legende">` + SI_STATUS.map(([n, c]) =>
      `<li><span class="feldchen" style="background:${c}"></span>Status ${esc(n)}</li>`).join("") +
      `<li><span class="feldchen"><svg viewBox="0 0 12 8" aria-hidden="true"><rect width="12" height="8" fill="url(#si-schraffur)"/></svg></span>gesperrt</li></ul>`;
    const g = SI.status_grenzen, d = SI.dynamik_grenzen;
    $("si-erklaerung").innerHTML = `Der Statusindex ist der gewichtete Mittelwert der z-Werte (Abweichung vom Mittel der ` +
      `Gemeinden in Standardabweichungen; höher = mehr Belastung) dieser Indikatoren: ` +
      SI.indikatoren.map((i) => `${esc(KPI[i.kpi] ? KPI[i.kpi].name : i.kpi)} (Gewicht ${zahl(i.gewicht, 1)})`).join(", ") +
      `. Klassen: Status hoch bis ${zahl(g.hoch, 1)}, mittel bis ${zahl(g.mittel, 1)}, niedrig bis ${zahl(g.niedrig, 1)}, ` +
      `darüber sehr niedrig. Dynamik: dieselbe Rechnung für die Veränderung über ${SI.dynamik_jahre} Jahre – positiv bis ` +
      `${zahl(d.positiv, 1)}, stabil bis ${zahl(d.stabil, 1)}, darüber negativ. Veröffentlicht werden nur die Klassen; ` +
      `wo ein Eingangswert geheim ist, ist die Gemeinde schraffiert (ihre Klasse verriete, auf welcher Seite einer Grenze ` +
      `der geheime Wert liegt).`;
    const kopf = `<thead><tr><th>Gemeinde</th><th>Status</th><th>Dynamik</th>${SI.indikatoren.map((i) =>
      `<th class="zahl">${esc(KPI[i.kpi] ? KPI[i.kpi].name : i.kpi)}</th>`).join("")}</tr></thead>`;
    const zeilen = GEMEINDEN.map((ags) => {
      const k = SI.klassen[ags];
      const status = !k ? "–" : k[2] === "gesperrt" ? "gesperrt" : k[0] || "–";
      const dyn = !k || k[2] === "gesperrt" ? "–" : SI_DYNAMIK[k[1]] || "–";
      return `<tr${k && k[2] === "gesperrt" ? ' class="gesperrt"' : ""}><td><a href="${ziel("profil", state.kpi, ags)}">` +
        `${esc(gemeindeName(ags))}</a></td><td>${esc(status)}</td><td>${esc(dyn)}</td>` +
        SI.indikatoren.map((i) => `<td class="zahl">${esc(anzeige(i.kpi, punkt(i.kpi, ags, LAST), false))}</td>`).join("") + "</tr>";
    });
    $("si-tabelle").innerHTML = `<caption>Sozialindex am ${datum(B.stichtag)} mit seinen Eingangswerten</caption>${kopf}<tbody>${zeilen.join("")}</tbody>`;
  }

  // ------------------------------------------------------------------ the planners' pages (berichte/*.md)
  const ARTEN = { hintergrund: "Hintergrund", organisation: "Organisation", bericht: "Sozialbericht",
    handlungsfeld: "Handlungsfelder", handlungsempfehlungen: "Handlungsempfehlungen" };
  function seiten() {
    const liste = Object.entries(ARTEN).map(([art, titel]) => {
      const ps = (B.seiten || []).filter((p) => p.art === art);
      return ps.length ? `<h3>${esc(titel)}</h3><ul>${ps.map((p) => `<li><a href="#/seite/${p.slug}"` +
        `${p.slug === state.seite ? ' aria-current="page"' : ""}>${esc(p.titel)}</a></li>`).join("")}</ul>` : "";
    }).join("");
    $("seiten-liste").innerHTML = liste || "<p>Keine Berichte der Sozialplanung zu diesem Stichtag.</p>";
    const p = SEITEN[state.seite];
    $("seite-titel").textContent = p ? p.titel : "Berichte der Sozialplanung";
    if (!p) { $("seite-text").innerHTML = ""; return; }
    // the page's HTML is rendered at build time from Markdown with raw HTML switched off (report/seiten.py)
    let inhalt = p.html;
    if (p.empfehlungen.length) {
      inhalt += `<table class="empfehlungen"><caption>Handlungsempfehlungen und Stand der Umsetzung</caption>` +
        `<thead><tr><th>Empfehlung</th><th>Status</th><th>zuständig</th><th>Frist</th></tr></thead><tbody>` +
        p.empfehlungen.map((e) => `<tr><td>${esc(e.titel)}</td><td class="status">${esc(e.status)}</td>` +
          `<td>${esc(e.zustaendig)}</td><td>${esc(e.frist)}</td></tr>`).join("") + "</tbody></table>";
    }
    const feld = p.feld && p.art === "handlungsfeld" ? B.kpis.filter((k) => k.feld === p.feld) : [];
    if (feld.length) inhalt += `<p class="indikatoren">Indikatoren des Handlungsfelds: ${feld.map((k) =>
      `<a href="${ziel("kpi", k.id, state.gemeinde)}">${esc(k.name)}</a>`).join(", ")}</p>`;
    $("seite-text").innerHTML = inhalt + `<p class="stand">Werte: Stichtag ${datum(B.stichtag)}, Datenstand ` +
      `${esc(B.datenstand_text)}, aus der öffentlichen Zone.</p>`;
  }
  function suchen() {
    const q = $("suche").value.trim().toLowerCase();
    if (q.length < 2) { $("suche-treffer").innerHTML = ""; return; }
    const treffer = [
      ...(B.seiten || []).filter((p) => (p.titel + " " + p.text).toLowerCase().includes(q))
        .map((p) => `<li><a href="#/seite/${p.slug}">${esc(p.titel)}</a> <span class="art">(Bericht)</span></li>`),
      ...B.kpis.filter((k) => (k.name + " " + k.definition + " " + k.feld).toLowerCase().includes(q))
        .map((k) => `<li><a href="${ziel("kpi", k.id, state.gemeinde)}">${esc(k.name)}</a> <span class="art">(Indikator)</span></li>`),
    ];
    $("suche-treffer").innerHTML = treffer.slice(0, 12).join("") || "<li>keine Treffer</li>";
  }

  // ------------------------------------------------------------------ choropleth map
  function schraffur(svg, id) {
    // the hatching of a suppressed area: diagonal lines, visible in greyscale and print
    const muster = el("pattern", { id, patternUnits: "userSpaceOnUse", width: 6, height: 6,
      patternTransform: "rotate(45)" }, el("defs", {}, svg));
    el("rect", { width: 6, height: 6, fill: "#fff" }, muster);
    el("line", { x1: 0, y1: 0, x2: 0, y2: 6, stroke: "#666", "stroke-width": 2.2 }, muster);
  }
  function klassen(werte) {
    // quintile breaks of the Gemeinde values: each class holds about a fifth of the Gemeinden
    const s = [...werte].sort((a, b) => a - b);
    if (!s.length) return [];
    const grenzen = [];
    for (let q = 1; q < PALETTE.length; q++) {
      const g = s[Math.min(s.length - 1, Math.floor((q * s.length) / PALETTE.length))];
      if (!grenzen.includes(g) && g > s[0]) grenzen.push(g);
    }
    return grenzen; // class i: value < grenzen[i] (and >= grenzen[i-1])
  }
  function klasse(v, grenzen) {
    let i = 0;
    while (i < grenzen.length && v >= grenzen[i]) i++;
    return i;
  }
  function farben(n) {
    // with fewer classes, spread them over the palette
    if (n >= PALETTE.length) return PALETTE;
    if (n <= 1) return [PALETTE[2]];
    return Array.from({ length: n }, (_, i) => PALETTE[Math.round((i * (PALETTE.length - 1)) / (n - 1))]);
  }
  function karte() {
    const svg = $("karte");
    const k = KPI[state.kpi];
    svg.replaceChildren();
    svg.setAttribute("viewBox", `0 0 ${B.karte.breite} ${B.karte.hoehe}`);
    schraffur(svg, "schraffur");
    // the map's own Stichtag (any of the series) and level (Gemeinden, or Ämter with the amtsfreie Gemeinden)
    const tag = state.kartenTag === null || state.kartenTag > LAST ? LAST : state.kartenTag;
    const amtEbene = state.kartenEbene === "amt" && level("amt").length > 0;
    const einheit = (f) => (amtEbene && f.amt && B.gebiete[f.amt] ? f.amt : f.ags);
    const einheiten = [...new Set(B.karte.formen.map(einheit))];
    const werte = einheiten.map((id) => punkt(state.kpi, id, tag)).filter((p) => p && p[0] !== null).map((p) => p[0]);
    const grenzen = klassen(werte);
    const pal = farben(grenzen.length + 1);
    const [ix, iy, iw, ih] = B.karte.inset;
    el("rect", { class: "inset", x: ix, y: iy, width: iw, height: ih }, svg);
    for (const f of B.karte.formen) {
      const id = einheit(f);
      const p = punkt(state.kpi, id, tag);
      let fill = KEIN_WERT, cls = "gemeinde leer" + (id !== f.ags ? " im-amt" : "");
      if (p && p[1] === "gesperrt") { fill = "url(#schraffur)"; cls = "gemeinde gesperrt"; }
      else if (p && p[0] !== null) { fill = pal[klasse(p[0], grenzen)]; cls = "gemeinde wert"; }
      if (f.ags === state.gemeinde) cls += " gewaehlt";
      const wer = id !== f.ags ? `${f.name} (${name(id)})` : f.name;
      const pfad = el("path", { d: f.d, class: cls, fill: fill, "data-ags": f.ags, "data-einheit": id, tabindex: 0,
        role: "button", "aria-label": `${wer}: ${anzeige(state.kpi, p, true)}` }, svg);
      titel(pfad, `${wer}: ${anzeige(state.kpi, p, true)}`);
      pfad.addEventListener("click", () => gehe("kpi", state.kpi, f.ags));
      pfad.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); gehe("kpi", state.kpi, f.ags); }
      });
      if (f.inset) el("text", { x: ix + 4, y: iy + ih - 4 }, svg).textContent = f.name;
    }
    // the selected Gemeinde's outline on top
    const gewaehlt = svg.querySelector("path.gewaehlt");
    if (gewaehlt) svg.appendChild(gewaehlt);
    $("karte-titel").textContent = `${k.name} (${k.einheit}) nach ${amtEbene ? "Ämtern und amtsfreien Gemeinden" : "Gemeinden"}, ${datum(B.stichtage[tag])}`;
    // legend
    const st = k.stellen;
    const items = pal.map((c, i) => {
      const von = i === 0 ? null : grenzen[i - 1], bis = i < grenzen.length ? grenzen[i] : null;
      const text = von === null && bis === null ? "alle Werte"
        : von === null ? `unter ${zahl(bis, st)}` : bis === null ? `${zahl(von, st)} und mehr` : `${zahl(von, st)} bis unter ${zahl(bis, st)}`;
      return `<li><span class="feldchen" style="background:${c}"></span>${text}</li>`;
    });
    items.push(`<li><span class="feldchen"><svg viewBox="0 0 12 8" aria-hidden="true"><rect width="12" height="8" fill="url(#schraffur)"/></svg></span>gesperrt (Geheimhaltung)</li>`);
    items.push(`<li><span class="feldchen" style="background:${KEIN_WERT}"></span>kein Wert</li>`);
    $("legende").innerHTML = `<ul class="legende" aria-label="Legende">${items.join("")}</ul>` +
      `<p>Klassengrenzen: Quintile der ${werte.length} veröffentlichten Werte (je Klasse etwa ein Fünftel der ${amtEbene ? "Ämter und amtsfreien Gemeinden" : "Gemeinden"}), Stichtag ${datum(B.stichtage[tag])}.</p>`;
  }

  // ------------------------------------------------------------------ time series with comparison lines
  function ticks(min, max, n) {
    const span = max - min || Math.abs(max) || 1;
    const roh = span / n, mag = Math.pow(10, Math.floor(Math.log10(roh)));
    const schritt = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= n) || 10 * mag;
    const lo = Math.floor(min / schritt) * schritt, hi = Math.ceil(max / schritt) * schritt;
    const out = [];
    for (let v = lo; v <= hi + schritt / 2; v += schritt) out.push(Math.round(v / schritt) * schritt);
    return out;
  }
  function reihen() {
    const ids = { gemeinde: state.gemeinde, ...VERGLEICH };
    return REIHEN.map((r) => ({ ...r, gebiet: ids[r.key], label: r.key === "gemeinde" ? gemeindeName(state.gemeinde)
      : ids[r.key] ? name(ids[r.key]) : r.key }))
      .filter((r) => r.gebiet && B.werte[state.kpi] && B.werte[state.kpi][r.gebiet]);
  }
  function zeitreihe(id = "reihe", rs = reihen(), wer = gemeindeName(state.gemeinde)) {
    // id: the figure's element prefix (#reihe, #vergleich-reihe); rs: its lines
    const svg = $(id);
    const k = KPI[state.kpi];
    svg.replaceChildren();
    const W = 600, H = 320, L = 64, R = 30, T = 16, U = 40;
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    // a count compares like with like only as an index: each line's first value = 100 (a Gemeinde's
    // residents and Germany's on one linear axis would show one flat line and cut-off labels)
    const index = k.einheit === "Anzahl";
    const basis = Object.fromEntries(rs.map((r) => {
      const erster = B.stichtage.map((_, i) => punkt(state.kpi, r.gebiet, i)).find((p) => p && p[0]);
      return [r.key, erster ? erster[0] : null];
    }));
    const wert = (r, p) => {
      if (!p || p[0] === null) return null;
      if (!index) return p[0];
      return basis[r.key] ? (p[0] / basis[r.key]) * 100 : null;
    };
    // the forecast continues the Gemeinde's and the Kreis's lines from the observed base Stichtag
    const prognose = P && id === "reihe" ? rs.filter((r) => r.key === "gemeinde" || r.key === "kreis")
      .map((r) => ({ r, reihe: prognoseReihe(state.kpi, r.gebiet) })).filter((x) => x.reihe) : [];
    const pTage = prognose.length ? P.stichtage : [];
    const basisIndex = B.stichtage.indexOf(P ? P.basis : "");
    const alle = rs.flatMap((r) => B.stichtage.map((_, i) => wert(r, punkt(state.kpi, r.gebiet, i))))
      .concat(prognose.flatMap(({ r, reihe }) => Object.values(reihe).flat().map((v) => (v === null ? null : wert(r, [v])))))
      .filter((v) => v !== null);
    let lo = alle.length ? Math.min(...alle) : 0, hi = alle.length ? Math.max(...alle) : 1;
    if (!index && lo > 0 && lo < hi * 0.5) lo = 0;
    const yt = ticks(lo, hi, 5);
    const y0 = yt[0], y1 = yt[yt.length - 1];
    // x is time: the observed Stichtage and the forecast's years keep their true distances
    const zeit = (iso) => Date.parse(iso + "T00:00:00Z");
    const tage = [...B.stichtage, ...pTage];
    const t0 = zeit(tage[0]), t1 = zeit(tage[tage.length - 1]);
    const xt = (iso) => (t1 === t0 ? L + (W - L - R) / 2 : L + ((zeit(iso) - t0) * (W - L - R)) / (t1 - t0));
    const x = (i) => xt(B.stichtage[i]);
    const y = (v) => T + (H - T - U) * (1 - (v - y0) / (y1 - y0 || 1));
    const achse = el("g", { class: "achse" }, svg);
    for (const t of yt) {
      el("line", { x1: L, x2: W - R, y1: y(t), y2: y(t) }, achse);
      el("text", { x: L - 6, y: y(t) + 4, "text-anchor": "end" }, achse).textContent =
        zahl(t, (index || k.stellen > 0) && y1 - y0 < 10 ? 1 : 0);
    }
    let letzteMarke = -Infinity;
    tage.forEach((d, i) => {
      const px = xt(d), zuletzt = i === tage.length - 1;
      const gefragt = tage.length <= 12 || i === 0 || zuletzt || i === B.stichtage.length - 1 || d.slice(0, 4) % 5 === 0;
      if (!gefragt || px - letzteMarke < 34) return;
      el("text", { x: px, y: H - U + 18, "text-anchor": "middle" }, achse).textContent = achsenDatum(d);
      letzteMarke = px;
    });
    if (prognose.length) {
      const grenze = xt(B.stichtage[LAST]);
      el("line", { class: "prognose-grenze", x1: grenze, x2: grenze, y1: T, y2: H - U }, svg);
      el("text", { class: "prognose-marke", x: grenze + 4, y: T + 10 }, svg).textContent = "Vorausberechnung";
    }
    for (const { r, reihe } of prognose) {
      const g = el("g", { class: "prognose", "data-prognose": r.key }, svg);
      const start = basisIndex >= 0 ? wert(r, punkt(state.kpi, r.gebiet, basisIndex)) : null;
      const oben = [], unten = [], linie = [];
      if (start !== null) { oben.push([xt(P.basis), start]); unten.push([xt(P.basis), start]); linie.push([xt(P.basis), start]); }
      pTage.forEach((d, i) => {
        const sp = spanne(reihe, i);
        const b = reihe[BASIS_VARIANTE] ? reihe[BASIS_VARIANTE][i] : null;
        if (sp) { oben.push([xt(d), wert(r, [sp[1]])]); unten.push([xt(d), wert(r, [sp[0]])]); }
        if (b !== null && b !== undefined) linie.push([xt(d), wert(r, [b])]);
      });
      const pfad = (pts) => pts.map(([px, v], i) => (i ? "L" : "M") + px.toFixed(1) + "," + y(v).toFixed(1)).join("");
      if (oben.length > 1) {
        const band = el("path", { class: "band", "data-prognose": r.key, fill: r.farbe,
          d: pfad(oben) + unten.slice().reverse().map(([px, v]) => "L" + px.toFixed(1) + "," + y(v).toFixed(1)).join("") + "Z" }, g);
        titel(band, `${r.label}: Vorausberechnung, Spanne der Varianten`);
      }
      if (linie.length > 1) el("path", { class: "linie prognose-linie", "data-prognose": r.key, d: pfad(linie), stroke: r.farbe }, g);
    }
    for (const r of rs) {
      const g = el("g", { class: "reihe", "data-reihe": r.key }, svg);
      let d = "", offen = false;
      B.stichtage.forEach((_, i) => {
        const v = wert(r, punkt(state.kpi, r.gebiet, i));
        if (v !== null) { d += (offen ? "L" : "M") + x(i).toFixed(1) + "," + y(v).toFixed(1); offen = true; }
        else offen = false;
      });
      if (d) el("path", { class: r.key === "gemeinde" ? "linie" : "linie vergleich", "data-reihe": r.key, d: d,
        stroke: r.farbe, "stroke-dasharray": r.strich }, g);
      B.stichtage.forEach((s, i) => {
        const p = punkt(state.kpi, r.gebiet, i);
        const v = wert(r, p);
        if (v !== null) {
          const c = el("circle", { class: "punkt", "data-reihe": r.key, "data-stichtag": s, cx: x(i), cy: y(v), r: 3.5,
            fill: r.farbe }, g);
          titel(c, `${r.label}, ${datum(s)}: ${anzeige(state.kpi, p, true)}` + (index ? ` · Index ${zahl(v, 1)}` : ""));
        } else if (p && p[1] === "gesperrt") {
          const m = el("text", { class: "gesperrt-marke", "data-reihe": r.key, "data-stichtag": s, x: x(i),
            y: H - U - 4, "text-anchor": "middle", fill: r.farbe }, g);
          m.textContent = "×";
          titel(m, `${r.label}, ${datum(s)}: gesperrt (Geheimhaltung)`);
        }
      });
    }
    const bis = pTage.length ? pTage[pTage.length - 1] : B.stichtag;
    $(id + "-titel").textContent = `${k.name} (${index ? "Index, erster Stichtag je Gebiet = 100" : k.einheit}): ` +
      `${wer} im Vergleich, ${achsenDatum(B.stichtage[0])}–${datum(bis)}`;
    $(id).dataset.index = index ? "1" : "0";
    const varianten = P ? P.varianten.map((v) => v.name).join(", ") : "";
    $(id + "-legende").innerHTML = rs.map((r) => `<li><svg viewBox="0 0 30 10" aria-hidden="true"><line x1="0" y1="5" x2="30" y2="5" stroke="${r.farbe}" stroke-width="2.5" stroke-dasharray="${r.strich}"/></svg>${esc(r.label)}</li>`).join("")
      + `<li><span aria-hidden="true">×</span>&nbsp;gesperrt</li>`
      + (prognose.length ? `<li class="prognose-legende"><svg viewBox="0 0 30 10" aria-hidden="true"><rect width="30" height="10" fill="#888" opacity="0.25"/><line x1="0" y1="5" x2="30" y2="5" stroke="#555" stroke-width="2" stroke-dasharray="2 2"/></svg>Vorausberechnung ab ${datum(P.basis)} (Datenstand ${esc(P.datenstand_text)}): Linie Basisvariante, Fläche Spanne der Varianten (${esc(varianten)}); keine Beobachtung</li>` : "");
    // the same as a table
    const kopf = `<thead><tr><th>Stichtag</th>${rs.map((r) => `<th class="zahl">${esc(r.label)}</th>`).join("")}</tr></thead>`;
    const zeilen = B.stichtage.map((s, i) => `<tr><td>${datum(s)}</td>${rs.map((r) => `<td class="zahl">${esc(anzeige(state.kpi, punkt(state.kpi, r.gebiet, i), false))}</td>`).join("")}</tr>`);
    const pZeilen = pTage.map((s, i) => `<tr class="prognose"><td>${datum(s)} (Vorausberechnung)</td>${rs.map((r) => {
      const x = prognose.find((p) => p.r.key === r.key);
      return `<td class="zahl">${x ? esc(prognoseText(x.reihe, i, k.stellen)) : "–"}</td>`;
    }).join("")}</tr>`);
    const unterschrift = index ? `${k.name} (Anzahl): ${wer} im Vergleich` : $(id + "-titel").textContent;
    $(id + "-tabelle").innerHTML = `<caption>${esc(unterschrift)}${pZeilen.length ? "; Vorausberechnung: Basisvariante (Spanne der Varianten)" : ""}</caption>${kopf}<tbody>${zeilen.join("")}${pZeilen.join("")}</tbody>`;
  }

  // ------------------------------------------------------------------ ranking (also the map's table)
  function rangliste() {
    const k = KPI[state.kpi];
    const zeilen = GEMEINDEN.map((ags) => ({ ags, p: punkt(state.kpi, ags, LAST) }));
    zeilen.sort((a, b) => {
      const va = a.p && a.p[0] !== null ? a.p[0] : null, vb = b.p && b.p[0] !== null ? b.p[0] : null;
      if (va === null && vb === null) return gemeindeName(a.ags).localeCompare(gemeindeName(b.ags), "de");
      if (va === null) return 1;
      if (vb === null) return -1;
      return vb - va || gemeindeName(a.ags).localeCompare(gemeindeName(b.ags), "de");
    });
    let rang = 0;
    const html = zeilen.map((z) => {
      const wert = z.p && z.p[0] !== null;
      if (wert) rang++;
      return `<tr class="${z.ags === state.gemeinde ? "gewaehlt" : ""}${z.p && z.p[1] === "gesperrt" ? " gesperrt" : ""}">` +
        `<td class="zahl">${wert ? rang : ""}</td><td><a href="${ziel("kpi", state.kpi, z.ags)}">${esc(gemeindeName(z.ags))}</a></td>` +
        `<td class="zahl">${esc(anzeige(state.kpi, z.p, false))}</td><td><a href="${ziel("profil", state.kpi, z.ags)}">Profil</a></td></tr>`;
    });
    const vergleich = Object.entries(VERGLEICH).filter(([, id]) => id).map(([, id]) =>
      `<tr class="vergleich"><td></td><td>${esc(name(id))}</td><td class="zahl">${esc(anzeige(state.kpi, punkt(state.kpi, id, LAST), false))}</td><td></td></tr>`);
    $("rangliste").innerHTML = `<caption>${esc(k.name)} (${esc(k.einheit)}) am ${datum(B.stichtag)}, absteigend; gesperrte und fehlende Werte am Ende</caption>` +
      `<thead><tr><th class="zahl">Rang</th><th>Gemeinde</th><th class="zahl">Wert</th><th>Profil</th></tr></thead>` +
      `<tbody>${html.join("")}</tbody><tfoot>${vergleich.join("")}</tfoot>`;
  }

  // ------------------------------------------------------------------ Gemeinde profile
  function profil() {
    const ags = state.gemeinde;
    $("profil-titel").textContent = `Gemeindeprofil ${gemeindeName(ags)} (${ags}), Stichtag ${datum(B.stichtag)}`;
    const spalten = [["Gemeinde", ags], ...Object.entries(VERGLEICH).filter(([, id]) => id).map(([, id]) => [name(id), id])];
    $("profil-inhalt").innerHTML = kennzahlTabellen(spalten, ags);
    $("profil-prognose").innerHTML = prognoseProfil(ags);
  }
  function prognoseProfil(ags) {
    if (!P || !P.altersgruppen.length) return "";
    const ziele = [...new Set([P.stichtage[Math.min(4, P.stichtage.length - 1)], ...P.stichtage.filter((d) => d.slice(0, 4) % 5 === 0), P.stichtage[P.stichtage.length - 1]])].sort();
    const spalten = ziele.map((d) => P.stichtage.indexOf(d));
    const zeilen = [{ id: "einwohner", name: "Einwohner insgesamt" }, ...P.altersgruppen].map((g) => {
      const reihe = prognoseReihe(g.id, ags);
      return `<tr><td>${esc(g.name)}</td>${spalten.map((i) => `<td class="zahl">${reihe ? esc(prognoseText(reihe, i, 0)) : "–"}</td>`).join("")}</tr>`;
    });
    return `<section><h3>Vorausberechnung der Bevölkerung (ab ${datum(P.basis)})</h3>` +
      `<p class="hinweis">Modellrechnung, keine Beobachtung: Basisvariante, in Klammern die Spanne der Varianten ` +
      `(${esc(P.varianten.map((v) => v.name).join(", "))}); auf 10 gerundet. Datenstand ${esc(P.datenstand_text)}.</p>` +
      `<table><caption>Bevölkerung nach Altersgruppen, ${esc(gemeindeName(ags))}</caption><thead><tr><th>Altersgruppe</th>` +
      ziele.map((d) => `<th class="zahl">${d.slice(0, 4)}</th>`).join("") + `</tr></thead><tbody>${zeilen.join("")}</tbody></table></section>`;
  }

  // ------------------------------------------------------------------ wiring
  function auswahl() {
    const kw = $("kpi-wahl");
    kw.innerHTML = B.handlungsfelder.map((feld) => `<optgroup label="${esc(feld)}">` +
      B.kpis.filter((k) => k.feld === feld).map((k) => `<option value="${k.id}">${esc(k.name)}</option>`).join("") + "</optgroup>").join("");
    $("gemeinde-wahl").innerHTML = GEMEINDEN.map((ags) => `<option value="${ags}">${esc(gemeindeName(ags))}</option>`).join("");
    kw.addEventListener("change", () => (state.ansicht === "vergleich" ? gehe("vergleich", kw.value, state.auswahl)
      : gehe("kpi", kw.value, state.gemeinde)));
    $("gemeinde-wahl").addEventListener("change", (e) => gehe(state.ansicht, state.kpi, e.target.value));
    $("nav-kpi").addEventListener("click", (e) => { e.preventDefault(); gehe("kpi", state.kpi, state.gemeinde); });
    $("nav-profil").addEventListener("click", (e) => { e.preventDefault(); gehe("profil", state.kpi, state.gemeinde); });
    $("suche").addEventListener("input", suchen);
    $("karte-stichtag").innerHTML = B.stichtage.map((d, i) => `<option value="${i}">${datum(d)}</option>`).join("");
    $("karte-stichtag").value = String(LAST);
    $("karte-stichtag").addEventListener("change", (e) => { state.kartenTag = Number(e.target.value); karte(); });
    $("karte-ebene").addEventListener("change", (e) => { state.kartenEbene = e.target.value; karte(); });
    if (!level("amt").length) $("karte-ebene").disabled = true;
    $("nav-vergleich").addEventListener("click", (e) => {
      e.preventDefault();
      gehe("vergleich", state.kpi, state.auswahl.length ? state.auswahl : [state.gemeinde]);
    });
  }
  function zeichnen() {
    zeichneAnsicht();
    document.body.dataset.gezeichnet = location.hash;  // which view is drawn (the browser tests wait for it)
  }
  function zeichneAnsicht() {
    lesen();
    const k = KPI[state.kpi];
    $("kpi-wahl").value = state.kpi;
    $("gemeinde-wahl").value = state.gemeinde;
    $("ansicht-kpi").hidden = state.ansicht !== "kpi";
    $("ansicht-profil").hidden = state.ansicht !== "profil";
    $("ansicht-seite").hidden = state.ansicht !== "seite";
    $("ansicht-vergleich").hidden = state.ansicht !== "vergleich";
    $("ansicht-sozialindex").hidden = state.ansicht !== "sozialindex";
    $("ansicht-druck").hidden = state.ansicht !== "druck";
    $("kpi-wahl").disabled = state.ansicht !== "kpi" && state.ansicht !== "vergleich";
    $("suche-treffer").innerHTML = "";
    if (state.ansicht === "profil") { profil(); return; }
    if (state.ansicht === "seite") { seiten(); return; }
    if (state.ansicht === "vergleich") { vergleich(); return; }
    if (state.ansicht === "sozialindex") { sozialindex(); return; }
    if (state.ansicht === "druck") { druck(); return; }
    $("kpi-titel").textContent = k.name;
    $("kpi-feld").textContent = `Handlungsfeld ${k.feld} · ${k.name_en} · Einheit ${k.einheit} · Quellen: ${k.quellen.join(", ")}`;
    $("kpi-definition").textContent = k.definition;
    $("kpi-hinweise").textContent = k.hinweise ? "Hinweis: " + k.hinweise : "";
    $("kpi-vergleich").textContent = k.vergleich;
    const seite = (B.seiten || []).find((p) => p.art === "handlungsfeld" && p.feld === k.feld);
    $("kpi-seite").innerHTML = seite ? `Einordnung der Sozialplanung: <a href="#/seite/${seite.slug}">${esc(seite.titel)}</a>` : "";
    $("download-kpi").setAttribute("href", `daten/kpi/${k.id}.csv`);
    karte();
    zeitreihe();
    rangliste();
  }
  $("datenstand").textContent = B.datenstand_text;
  // on every printed page (print stylesheet): what the figures are, as of when, from where, whose map
  const quellen = [...new Set(B.kpis.flatMap((k) => k.quellen))].sort().join(", ");
  $("druck-fuss").textContent = `${B.titel} · Stichtag ${datum(B.stichtag)} · Datenstand ${B.datenstand_text} · ` +
    `Quellen: ${quellen}; amtliche Statistik für Land und Bund · Gemeindegrenzen: ${B.karte.quelle}, ${B.karte.lizenz} · ` +
    `nur veröffentlichte (geheimgehaltene) Werte`;
  $("build").textContent = B.build.slice(0, 12);
  const q = $("karte-quelle"); q.textContent = B.karte.quelle; q.href = B.karte.quelle_url;
  const l = $("karte-lizenz"); l.textContent = B.karte.lizenz; l.href = B.karte.lizenz_url;
  auswahl();
  window.addEventListener("hashchange", zeichnen);
  zeichnen();
  document.body.dataset.bereit = "1";
})();
