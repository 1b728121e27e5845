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
      lines.push("<i>" + esc(cfg.texts.rank.split("{rank}").join(p.r[i]).split("{n}").join(layer.n)) + "</i>");
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
      var rank = ranked(p, i) ? p.r[i] + "/" + layer.n : "–";
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

  function choroplethLayer(map, data, cfg, i, activeIndex) {
    var layer = cfg.layers[i];
    var geo = L.geoJSON(data, {
      style: function (f) {
        var c = f.properties.c[i];
        var noData = c === null || c === undefined;
        return {
          fillColor: noData ? cfg.noDataColor : layer.colors[c],
          fillOpacity: 0.85,
          color: noData ? "#6e6e6e" : "#ffffff",
          weight: 0.6,
          dashArray: noData ? "3 2" : null,
          opacity: 1,
          className: "pk-area" + (noData ? " pk-nodata" : ""),
        };
      },
      onEachFeature: function (f, lyr) {
        lyr.bindTooltip(tooltipHtml(f.properties, i, cfg), { sticky: true, className: "pk-tooltip" });
        lyr.bindPopup(function () { return popupHtml(f.properties, cfg, activeIndex()); }, {
          maxWidth: 380, minWidth: 240, className: "pk-popup-box",
        });
        lyr.on("mouseover", function (e) {
          e.target.setStyle({ weight: 3, color: "#111111" });
          e.target.bringToFront();
        });
        lyr.on("mouseout", function (e) {
          geo.resetStyle(e.target);
        });
      },
    });
    geo.pkIndex = i;
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

  function searchControl(map, data, cfg, active) {
    var names = data.features.map(function (f) {
      return f.properties.k ? f.properties.n + " (" + f.properties.k + ")" : f.properties.n;
    });
    var options = names.map(function (n) { return '<option value="' + esc(n) + '">'; }).join("");
    var html = '<input type="search" list="pk-desa-list" placeholder="' + esc(cfg.texts.search) +
      '" aria-label="' + esc(cfg.texts.search) + '"><datalist id="pk-desa-list">' + options +
      '</datalist><div class="pk-search-msg"></div>';
    var ctl = control("topleft", "pk-search leaflet-bar", html);
    ctl.addTo(map);
    var input = ctl.getContainer().querySelector("input");
    var msg = ctl.getContainer().querySelector(".pk-search-msg");
    function go() {
      var q = input.value.trim().toLowerCase();
      if (!q) return;
      var idx = names.findIndex(function (n) { return n.toLowerCase() === q; });
      if (idx < 0) idx = names.findIndex(function (n) { return n.toLowerCase().indexOf(q) === 0; });
      if (idx < 0) idx = names.findIndex(function (n) { return n.toLowerCase().indexOf(q) >= 0; });
      if (idx < 0) { msg.textContent = cfg.texts.notFound; return; }
      msg.textContent = "";
      var layer = active().getLayers()[idx];
      map.fitBounds(layer.getBounds(), { maxZoom: 13 });
      layer.openPopup(layer.getBounds().getCenter());
    }
    input.addEventListener("change", go);
    input.addEventListener("keydown", function (e) { if (e.key === "Enter") go(); });
  }

  // After a popup opens, pan so it is not hidden under the controls in the top corners
  // (the layer list); hover tooltips are hidden while it is open, as they would cover it.
  function keepPopupsClear(map) {
    var container = map.getContainer();
    map.on("popupclose", function () { L.DomUtil.removeClass(container, "pk-has-popup"); });
    map.on("popupopen", function (e) {
      L.DomUtil.addClass(container, "pk-has-popup");
      var src = e.popup._source;
      if (src && src.closeTooltip) src.closeTooltip();
      var box = e.popup.getElement();
      if (!box) return;
      var r = box.getBoundingClientRect();
      var m = map.getContainer().getBoundingClientRect();
      var dy = 0;
      map.getContainer().querySelectorAll(".leaflet-top .leaflet-control").forEach(function (c) {
        var k = c.getBoundingClientRect();
        var overlaps = r.left < k.right && k.left < r.right && r.top < k.bottom && k.top < r.bottom;
        if (overlaps) dy = Math.max(dy, k.bottom - r.top + 8);
      });
      dy = Math.min(dy, Math.max(0, m.bottom - r.bottom));
      if (dy > 0) map.panBy([0, -dy], { animate: false });
    });
  }

  window.pkChoropleth = function (map, data, cfg, extra) {
    extra = extra || {};
    // outlines, sites and names stay above whichever indicator layer is switched on
    map.createPane("pkOutlines").style.zIndex = 450;
    map.createPane("pkPoints").style.zIndex = 460;
    var labelPane = map.createPane("pkLabels");
    labelPane.style.zIndex = 470;
    labelPane.style.pointerEvents = "none";
    L.control.scale({ imperial: false }).addTo(map);
    var current = null;
    function activeIndex() { return current ? current.pkIndex : 0; }
    var layers = cfg.layers.map(function (_, i) { return choroplethLayer(map, data, cfg, i, activeIndex); });
    current = layers[0];
    current.addTo(map);

    // One legend box per shown thing, in a fixed order: the indicator shown, then the sites.
    var legendBox = control("bottomright", "pk-legends", "").addTo(map).getContainer();
    var legend = L.DomUtil.create("div", "pk-legend", legendBox);
    legend.innerHTML = cfg.layers[0].legend;
    var pointLegend = null;

    var base = {};
    cfg.layers.forEach(function (layer, i) { base[esc(layer.title)] = layers[i]; });
    var overlays = {};
    if (extra.outlines || extra.labels) {
      var outl = outlineLayer(extra.outlines, extra.labels).addTo(map);
      overlays[esc(cfg.texts.outlines)] = outl;
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
    L.control.layers(base, overlays, { collapsed: false, position: "topright" }).addTo(map);

    map.on("baselayerchange", function (e) {
      if (e.layer.pkIndex === undefined) return;
      legend.innerHTML = cfg.layers[e.layer.pkIndex].legend;
      current = e.layer;
      map.closePopup();
    });

    var tiles = {};
    var none = L.layerGroup().addTo(map);
    tiles[esc(cfg.texts.basemapNone)] = none;
    (cfg.basemaps || []).forEach(function (b) {
      tiles[esc(b.name)] = L.tileLayer(b.url, { attribution: b.attribution, maxZoom: b.maxZoom || 19 });
    });
    if (Object.keys(tiles).length > 1) {
      L.control.layers(tiles, {}, { collapsed: true, position: "topright" }).addTo(map);
    }

    searchControl(map, data, cfg, function () { return current; });
    if (cfg.title || cfg.synthetic) {
      var sub = cfg.subtitle ? "<div class='pk-subtitle'>" + esc(cfg.subtitle) + "</div>" : "";
      var badge = cfg.synthetic ? "<div class='pk-badge'>" + esc(cfg.texts.syntheticBadge) + "</div>" : "";
      control("topleft", "pk-title", badge + (cfg.title ? "<div class='pk-title-text'>" + esc(cfg.title) + "</div>" : "") + sub).addTo(map);
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
    keepPopupsClear(map);
    map.pk = { layers: layers, legend: legend, current: function () { return current; } };
  };
})();
