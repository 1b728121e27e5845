/* peta-kesos interactive choropleth: switchable indicator layers sharing one geometry,
 * classed legends shown with their layer, kecamatan outlines with labels, point sites,
 * desa search and base-map choice (including none). MIT licence, part of peta-kesos. */
(function () {
  "use strict";

  function esc(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function control(position, className, html) {
    var C = L.Control.extend({
      onAdd: function () {
        var div = L.DomUtil.create("div", className);
        div.innerHTML = html;
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      },
    });
    return new C({ position: position });
  }

  // A whole number with the map's thousands separator: 83000 -> "83.000" (Indonesian).
  function whole(n, cfg) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, cfg.thousands || "");
  }

  function ranked(p, i) {
    return p.r[i] !== null && p.r[i] !== undefined;
  }

  // First line of a tooltip or popup: "Siborongborong" + "Kecamatan: X" on a desa map,
  // "Kecamatan Siborongborong" on a kecamatan map.
  function heading(p, cfg) {
    if (cfg.level === "kecamatan") return "<b>" + esc(cfg.texts.kecamatanOf.split("{name}").join(p.n)) + "</b>";
    var head = "<b>" + esc(p.n) + "</b>";
    return p.k ? head + '<br><span class="pk-sub">' + esc(cfg.texts.kecamatan) + ": " + esc(p.k) + "</span>" : head;
  }

  function tooltipHtml(p, i, cfg) {
    var layer = cfg.layers[i];
    var lines = [heading(p, cfg), esc(layer.title) + ": <b>" + esc(p.v[i]) + "</b>"];
    if (ranked(p, i)) {
      var rank = cfg.texts.rank.split("{rank}").join(whole(p.r[i], cfg)).split("{n}").join(whole(layer.n, cfg));
      lines.push("<i>" + esc(rank) + "</i>");
    }
    return lines.join("<br>");
  }

  // A table of every indicator of the area (the layer shown in bold), bivariate classes
  // below it, and what the rank means.
  function popupHtml(p, cfg, active) {
    var rows = [];
    var notes = [];
    cfg.layers.forEach(function (layer, i) {
      if (layer.kind === "bivariate") {
        var cls = i === active ? ' class="pk-active"' : "";
        notes.push("<div" + cls + ">" + esc(layer.title) + ": <b>" + esc(p.v[i]) + "</b></div>");
        return;
      }
      var rank = ranked(p, i) ? whole(p.r[i], cfg) + "/" + whole(layer.n, cfg) : "–";
      rows.push(
        "<tr" + (i === active ? ' class="pk-active"' : "") + "><th>" + esc(layer.title) + "</th><td>" +
        esc(p.v[i]) + '</td><td class="pk-rank">' + esc(rank) + "</td></tr>"
      );
    });
    var table = "";
    if (rows.length) {
      table = '<table class="pk-popup"><thead><tr><th>' + esc(cfg.texts.indicator) + "</th><td>" +
        esc(cfg.texts.value) + '</td><td class="pk-rank">' + esc(cfg.texts.rankShort) + "</td></tr></thead>" +
        rows.join("") + "</table>";
    }
    var foot = rows.length ? '<div class="pk-note">' + esc(cfg.texts.rankNote) + "</div>" : "";
    return '<div class="pk-popup-head">' + heading(p, cfg) + "</div>" + table + notes.join("") + foot;
  }

  var POPUP = { maxWidth: 380, minWidth: 240, className: "pk-popup-box" };

  // The areas, drawn once and coloured by the indicator shown (`activeIndex()`): switching
  // indicator restyles them (`geo.pkRestyle()`) instead of drawing tens of thousands of
  // polygons again. One tooltip, one popup and one pair of hover handlers for all areas,
  // written when they open.
  function areaLayer(data, cfg, activeIndex, renderer) {
    var geo = L.geoJSON(data, {
      renderer: renderer,
      style: function (f) {
        var i = activeIndex();
        var c = f.properties.c[i];
        var noData = c === null || c === undefined;
        return {
          fillColor: noData ? cfg.noDataColor : cfg.layers[i].colors[c],
          fillOpacity: 0.85,
          color: noData ? "#6e6e6e" : "#ffffff",
          weight: 0.6,
          dashArray: noData ? "3 2" : null,
          opacity: 1,
          className: "pk-area" + (noData ? " pk-nodata" : ""),
        };
      },
    });
    geo.bindTooltip(function (lyr) { return tooltipHtml(lyr.feature.properties, activeIndex(), cfg); }, {
      sticky: true, className: "pk-tooltip",
    });
    geo.bindPopup(function (lyr) { return popupHtml(lyr.feature.properties, cfg, activeIndex()); }, POPUP);
    geo.on("mouseover", function (e) {
      e.layer.setStyle({ weight: 3, color: "#111111" });
      e.layer.bringToFront();
    });
    geo.on("mouseout", function (e) { geo.resetStyle(e.layer); });
    geo.pkRestyle = function () {
      geo.eachLayer(function (lyr) {
        geo.resetStyle(lyr);
        // Leaflet sets an SVG path's classes once: keep "no data" (grey, dashed) current
        var el = lyr.getElement && lyr.getElement();
        if (el) L.DomUtil[/pk-nodata/.test(lyr.options.className) ? "addClass" : "removeClass"](el, "pk-nodata");
      });
    };
    return geo;
  }

  function outlineLayer(outlines, labels) {
    var group = L.layerGroup();
    if (outlines) {
      L.geoJSON(outlines, {
        interactive: false,
        pane: "pkOutlines",
        style: { color: "#252525", weight: 1.8, fill: false, opacity: 0.9, className: "pk-outline" },
      }).addTo(group);
    }
    (labels || []).forEach(function (lab) {
      L.marker([lab[1], lab[2]], {
        interactive: false,
        keyboard: false,
        pane: "pkLabels",
        icon: L.divIcon({ className: "pk-label", html: "<span>" + esc(lab[0]) + "</span>", iconSize: null }),
      }).addTo(group);
    });
    return group;
  }

  function pointLayer(points, cfg) {
    var group = L.layerGroup();
    L.geoJSON(points.data, {
      pointToLayer: function (f, latlng) {
        var style = points.styles[f.properties.cat] || { color: "#000000" };
        return L.circleMarker(latlng, {
          pane: "pkPoints",
          radius: 6, color: "#1a1a1a", weight: 1, fillColor: style.color, fillOpacity: 1,
          className: "pk-point",
        });
      },
      onEachFeature: function (f, lyr) {
        var p = f.properties;
        lyr.bindTooltip(esc(p.name) + (p.cat ? " (" + esc(p.cat) + ")" : ""), { className: "pk-tooltip" });
        var rows = (p.rows || []).map(function (r) {
          return "<tr><th>" + esc(r[0]) + "</th><td>" + esc(r[1]) + "</td></tr>";
        });
        lyr.bindPopup('<div class="pk-popup-head"><b>' + esc(p.name) + '</b></div><table class="pk-popup">' +
          rows.join("") + "</table>", { maxWidth: 360, className: "pk-popup-box" });
      },
    }).addTo(group);
    return group;
  }

  function searchControl(map, data, cfg, areas, activeIndex) {
    var names = data.features.map(function (f) {
      return f.properties.k ? f.properties.n + " (" + f.properties.k + ")" : f.properties.n;
    });
    // a list to pick from while typing, up to a few thousand names (a phone chokes on more)
    var listed = names.length <= cfg.listMax ? names : [];
    var options = listed.map(function (n) { return '<option value="' + esc(n) + '">'; }).join("");
    var html = '<input type="search" list="pk-desa-list" placeholder="' + esc(cfg.texts.search) +
      '" aria-label="' + esc(cfg.texts.search) + '"><datalist id="pk-desa-list">' + options +
      '</datalist><div class="pk-search-msg"></div>';
    var ctl = control("topleft", "pk-search leaflet-bar", html);
    ctl.addTo(map);
    var input = ctl.getContainer().querySelector("input");
    var found = L.popup(POPUP);  // one popup: Enter and "change" may both fire
    var msg = ctl.getContainer().querySelector(".pk-search-msg");
    function go() {
      var q = input.value.trim().toLowerCase();
      if (!q) return;
      var idx = names.findIndex(function (n) { return n.toLowerCase() === q; });
      if (idx < 0) idx = names.findIndex(function (n) { return n.toLowerCase().indexOf(q) === 0; });
      if (idx < 0) idx = names.findIndex(function (n) { return n.toLowerCase().indexOf(q) >= 0; });
      if (idx < 0) { msg.textContent = cfg.texts.notFound; return; }
      msg.textContent = "";
      var layer = areas.getLayers()[idx];
      map.fitBounds(layer.getBounds(), { maxZoom: 13, animate: false });
      found.setLatLng(layer.getBounds().getCenter())
        .setContent(popupHtml(layer.feature.properties, cfg, activeIndex())).openOn(map);
    }
    input.addEventListener("change", go);
    input.addEventListener("keydown", function (e) { if (e.key === "Enter") go(); });
  }

  // After a popup opens, pan so it lies in the band between the controls at the top (title,
  // search, layer list) and those at the bottom (legend, caption) that it would overlap;
  // hover tooltips are hidden while it is open, as they would cover it. `onOpen` runs first
  // (on phones it folds the layer list and the legend).
  function keepPopupsClear(map, onOpen) {
    var container = map.getContainer();
    map.on("popupclose", function () { L.DomUtil.removeClass(container, "pk-has-popup"); });
    map.on("popupopen", function (e) {
      L.DomUtil.addClass(container, "pk-has-popup");
      onOpen();
      var src = e.popup._source;
      if (src && src.closeTooltip) src.closeTooltip();
      var box = e.popup.getElement();
      if (!box) return;
      var r = box.getBoundingClientRect();
      var m = container.getBoundingClientRect();
      var top = m.top, bottom = m.bottom;
      container.querySelectorAll(".leaflet-control").forEach(function (c) {
        var k = c.getBoundingClientRect();
        if (!k.width || k.left >= r.right || r.left >= k.right) return;
        if (c.closest(".leaflet-top")) top = Math.max(top, k.bottom + 8);
        else bottom = Math.min(bottom, k.top - 8);
      });
      var dx = r.left < m.left + 4 ? m.left + 4 - r.left : Math.min(0, m.right - 4 - r.right);
      var dy = 0;
      if (r.top < top) dy = top - r.top;
      else if (r.bottom > bottom) dy = Math.max(bottom - r.bottom, top - r.top);
      if (dx || dy) map.panBy([-dx, -dy], { animate: false });
    });
  }

  // Hide the kecamatan names that would overlap a name already shown, the largest kecamatan
  // first (the labels come sorted by area), after every zoom or move.
  function declutter(map, group) {
    var kept = [];
    group.eachLayer(function (m) {
      var el = m.getElement && m.getElement();
      if (!el) return;
      el.style.visibility = "";
      var span = el.firstChild;
      if (!span || !span.getBoundingClientRect) return;
      var r = span.getBoundingClientRect();
      var hit = kept.some(function (k) {
        return r.left < k.right + 2 && k.left < r.right + 2 && r.top < k.bottom && k.top < r.bottom;
      });
      if (hit) el.style.visibility = "hidden";
      else kept.push(r);
    });
  }

  // The base maps ("none" first and chosen) as a second group of the layer list: one
  // control, where two Leaflet layer controls would show two identical buttons on a phone.
  function basemapChoice(map, layerList, cfg) {
    var maps = [{ name: cfg.texts.basemapNone }].concat(cfg.basemaps || []);
    if (maps.length < 2) return;
    var list = layerList.getContainer().querySelector(".leaflet-control-layers-list");
    var box = L.DomUtil.create("div", "pk-basemaps", list);
    box.innerHTML = '<div class="leaflet-control-layers-separator"></div>' +
      '<div class="pk-basemaps-title">' + esc(cfg.texts.basemap) + "</div>" +
      maps.map(function (b, i) {
        return '<label><span><input type="radio" class="leaflet-control-layers-selector" ' +
          'name="pk-basemap" value="' + i + '"' + (i ? "" : " checked") + "><span> " +
          esc(b.name) + "</span></span></label>";
      }).join("");
    var tiles = null;
    box.addEventListener("change", function (e) {
      if (tiles) map.removeLayer(tiles);
      var b = maps[Number(e.target.value)];
      tiles = b.url ? L.tileLayer(b.url, { attribution: b.attribution, maxZoom: b.maxZoom || 19 }).addTo(map) : null;
    });
  }

  // One CSV field: quoted, and a leading = + - @ (or tab/CR) neutralised with an apostrophe
  // so a spreadsheet never runs it as a formula.
  function csvCell(v) {
    var s = String(v === null || v === undefined ? "" : v);
    if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
    return '"' + s.replace(/"/g, '""') + '"';
  }

  function slug(s) {
    return String(s).toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60);
  }

  // The rows of layer i: ranked areas by rank, then the others (no data, "< 5"), by name.
  function tableRows(data, i) {
    var rows = data.features.map(function (f) { return f.properties; });
    return rows.slice().sort(function (a, b) {
      var ra = ranked(a, i) ? a.r[i] : Infinity, rb = ranked(b, i) ? b.r[i] : Infinity;
      if (ra !== rb) return ra < rb ? -1 : 1;
      return a.n < b.n ? -1 : a.n > b.n ? 1 : 0;
    });
  }

  // A panel over the map with the shown layer's values and a CSV of them built here from the
  // embedded data (a data: URL: the file stays one self-contained page).
  function tablePanel(map, data, cfg, activeIndex) {
    var panel = L.DomUtil.create("div", "pk-table-panel", map.getContainer());
    panel.setAttribute("role", "dialog");
    L.DomEvent.disableClickPropagation(panel);
    L.DomEvent.disableScrollPropagation(panel);
    var t = cfg.texts, desa = cfg.level !== "kecamatan";
    function fill() {
      var i = activeIndex(), layer = cfg.layers[i];
      var head = [t.name].concat(desa ? [t.kecamatan] : [], [t.value, t.rankShort]);
      var rows = tableRows(data, i).map(function (p) {
        return [p.n].concat(desa ? [p.k] : [], [p.v[i], ranked(p, i) ? p.r[i] : ""]);
      });
      var csv = "\ufeff" + [head].concat(rows).map(function (r) { return r.map(csvCell).join(","); }).join("\r\n") + "\r\n";
      var name = (cfg.csvName || "peta") + "-" + slug(layer.title) + ".csv";
      var badge = cfg.synthetic ? "<span class='pk-badge'>" + esc(t.syntheticBadge) + "</span> " : "";
      panel.innerHTML = '<div class="pk-table-head"><b>' + badge + esc(layer.title) + "</b>" +
        '<a class="pk-csv" download="' + esc(name) + '" href="data:text/csv;charset=utf-8,' +
        encodeURIComponent(csv) + '">' + esc(t.csv) + "</a>" +
        '<button type="button" class="pk-table-close" aria-label="' + esc(t.close) + '">×</button></div>' +
        '<div class="pk-table-scroll"><table class="pk-table"><thead><tr>' +
        head.map(function (h) { return "<th>" + esc(h) + "</th>"; }).join("") + "</tr></thead><tbody>" +
        rows.map(function (r) {
          return "<tr>" + r.map(function (c) { return "<td>" + esc(c) + "</td>"; }).join("") + "</tr>";
        }).join("") + "</tbody></table></div>";
      panel.querySelector(".pk-table-close").addEventListener("click", close);
    }
    function open() { map.closePopup(); fill(); L.DomUtil.addClass(panel, "pk-open"); }
    function close() { L.DomUtil.removeClass(panel, "pk-open"); }
    map.on("baselayerchange", function () { if (L.DomUtil.hasClass(panel, "pk-open")) fill(); });
    return { open: open, close: close };
  }

  // `topo` is a TopoJSON topology: the areas (object "areas", one feature per area with its
  // classes, values and ranks) and the outline polygons ("outlines") share its arcs.
  window.pkChoropleth = function (map, topo, cfg, extra) {
    extra = extra || {};
    var data = topojson.feature(topo, topo.objects.areas);
    var outlines = topo.objects.outlines ? topojson.mesh(topo, topo.objects.outlines) : null;
    // many areas are drawn on one canvas: an SVG element each would make the page crawl
    var renderer = cfg.canvas ? L.canvas({ padding: 0.5 }) : undefined;
    // outlines, sites and names stay above whichever indicator layer is switched on
    map.createPane("pkOutlines").style.zIndex = 450;
    map.createPane("pkPoints").style.zIndex = 460;
    var labelPane = map.createPane("pkLabels");
    labelPane.style.zIndex = 470;
    labelPane.style.pointerEvents = "none";
    L.control.scale({ imperial: false }).addTo(map);
    var current = null;
    function activeIndex() { return current ? current.pkIndex : 0; }
    // one (empty) base layer per indicator, for the radio buttons of the layer list
    var layers = cfg.layers.map(function (_, i) {
      var choice = L.layerGroup();
      choice.pkIndex = i;
      return choice;
    });
    current = layers[0];
    current.addTo(map);
    var areas = areaLayer(data, cfg, activeIndex, renderer).addTo(map);

    // One legend box per shown thing, in a fixed order: the indicator shown, then the sites.
    // Below 600 px the layer list and the legends start folded into buttons.
    var phone = map.getSize().x < 600;
    var t = cfg.texts;
    var legendBox = control("bottomright", "pk-legends" + (phone ? " pk-folded" : ""), "").addTo(map).getContainer();
    var bar = L.DomUtil.create("div", "pk-legend-bar", legendBox);
    bar.innerHTML = '<button type="button" class="pk-table-button">' + esc(t.table) + "</button>" +
      '<button type="button" class="pk-legend-toggle" aria-expanded="' + !phone + '">' + esc(t.legend) + "</button>";
    var legendToggle = bar.querySelector(".pk-legend-toggle");
    function foldLegends(folded) {
      L.DomUtil[folded ? "addClass" : "removeClass"](legendBox, "pk-folded");
      legendToggle.setAttribute("aria-expanded", String(!folded));
    }
    legendToggle.addEventListener("click", function () { foldLegends(!L.DomUtil.hasClass(legendBox, "pk-folded")); });
    var legend = L.DomUtil.create("div", "pk-legend", legendBox);
    legend.innerHTML = cfg.layers[0].legend;
    var pointLegend = null;

    var base = {};
    cfg.layers.forEach(function (layer, i) { base[esc(layer.title)] = layers[i]; });
    var overlays = {};
    if (outlines || extra.labels) {
      var outl = outlineLayer(outlines, extra.labels).addTo(map);
      overlays[esc(cfg.texts.outlines)] = outl;
      // now, and again two frames later: right after a zoom animation the names may not
      // have their final places yet (a phone opening at a fractional zoom showed overlaps)
      var tidy = function () {
        declutter(map, outl);
        L.Util.requestAnimFrame(function () {
          L.Util.requestAnimFrame(function () { declutter(map, outl); });
        });
      };
      map.on("zoomend moveend resize", tidy);
      map.on("overlayadd", function (e) { if (e.layer === outl) tidy(); });
      map.whenReady(tidy);
    }
    if (extra.points) {
      var pts = pointLayer(extra.points, cfg).addTo(map);
      overlays[esc(extra.points.title)] = pts;
      pointLegend = L.DomUtil.create("div", "pk-legend pk-point-legend");
      pointLegend.innerHTML = extra.points.legend;
      legendBox.appendChild(pointLegend);
      map.on("overlayremove", function (e) { if (e.layer === pts) L.DomUtil.remove(pointLegend); });
      map.on("overlayadd", function (e) { if (e.layer === pts) legendBox.appendChild(pointLegend); });
    }
    var layerList = L.control.layers(base, overlays, { collapsed: phone, position: "topright" }).addTo(map);
    var toggle = layerList.getContainer().querySelector(".leaflet-control-layers-toggle");
    if (toggle) { toggle.title = t.layers; toggle.setAttribute("aria-label", t.layers); }

    map.on("baselayerchange", function (e) {
      if (e.layer.pkIndex === undefined) return;
      legend.innerHTML = cfg.layers[e.layer.pkIndex].legend;
      current = e.layer;
      map.closePopup();
      areas.pkRestyle();
    });

    basemapChoice(map, layerList, cfg);

    searchControl(map, data, cfg, areas, activeIndex);
    if (cfg.title || cfg.synthetic) {
      var sub = cfg.subtitle ? "<div class='pk-subtitle'>" + esc(cfg.subtitle) + "</div>" : "";
      var badge = cfg.synthetic ? "<div class='pk-badge'>" + esc(cfg.texts.syntheticBadge) + "</div>" : "";
      var head = control("topleft", "pk-title", badge + (cfg.title ? "<div class='pk-title-text'>" + esc(cfg.title) + "</div>" : "") + sub).addTo(map).getContainer();
      // on a phone the title and the synthetic-data badge come first, above the buttons
      if (phone) head.parentNode.insertBefore(head, head.parentNode.firstChild);
    }
    if (cfg.caption) {
      control("bottomleft", "pk-caption" + (cfg.synthetic ? " pk-synthetic" : ""), esc(cfg.caption)).addTo(map);
    }
    // Leaflet's own zoom buttons say "Zoom in"/"Zoom out": give them the map's language.
    [[".leaflet-control-zoom-in", cfg.texts.zoomIn], [".leaflet-control-zoom-out", cfg.texts.zoomOut]]
      .forEach(function (pair) {
        var button = map.getContainer().querySelector(pair[0]);
        if (button && pair[1]) { button.title = pair[1]; button.setAttribute("aria-label", pair[1]); }
      });
    var table = tablePanel(map, data, cfg, activeIndex);
    bar.querySelector(".pk-table-button").addEventListener("click", table.open);
    keepPopupsClear(map, function () {
      areas.closeTooltip();
      if (!phone) return;
      layerList.collapse();
      foldLegends(true);
    });
    // One tooltip at a time: a site's tooltip closes the (sticky) tooltip of the area under it.
    map.on("tooltipopen", function (e) {
      var src = e.tooltip && e.tooltip._source;
      if (src && src.options && src.options.pane === "pkPoints") areas.closeTooltip();
    });
    map.pk = {
      layers: layers, areas: areas, legend: legend, table: table,
      current: function () { return current; },
    };
  };
})();
