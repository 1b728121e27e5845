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

  function tooltipHtml(p, i, cfg) {
    var layer = cfg.layers[i];
    var lines = ["<b>" + esc(p.n) + "</b>"];
    if (p.k) lines.push(esc(cfg.texts.kecamatan) + ": " + esc(p.k));
    lines.push(esc(layer.title) + ": <b>" + esc(p.v[i]) + "</b>");
    if (p.r[i] !== null && p.r[i] !== undefined) {
      lines.push("<i>" + esc(cfg.texts.rank.replace("{rank}", p.r[i]).replace("{n}", layer.n)) + "</i>");
    }
    return lines.join("<br>");
  }

  function popupHtml(p, cfg) {
    var rows = cfg.layers.map(function (layer, i) {
      var rank = p.r[i] === null || p.r[i] === undefined ? "" : p.r[i] + "/" + layer.n;
      return "<tr><th>" + esc(layer.title) + "</th><td>" + esc(p.v[i]) + "</td><td>" + esc(rank) + "</td></tr>";
    });
    var head = "<b>" + esc(p.n) + "</b>" + (p.k ? "<br>" + esc(cfg.texts.kecamatan) + " " + esc(p.k) : "");
    return head + '<table class="pk-popup">' + rows.join("") + "</table>";
  }

  function choroplethLayer(map, data, cfg, i) {
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
        lyr.bindPopup(popupHtml(f.properties, cfg), { maxWidth: 360 });
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
          radius: 6, color: "#ffffff", weight: 1.5, fillColor: style.color, fillOpacity: 1,
          className: "pk-point",
        });
      },
      onEachFeature: function (f, lyr) {
        var p = f.properties;
        lyr.bindTooltip(esc(p.name) + (p.cat ? " (" + esc(p.cat) + ")" : ""));
        var rows = (p.rows || []).map(function (r) {
          return "<tr><th>" + esc(r[0]) + "</th><td>" + esc(r[1]) + "</td></tr>";
        });
        lyr.bindPopup("<b>" + esc(p.name) + '</b><table class="pk-popup">' + rows.join("") + "</table>");
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

  window.pkChoropleth = function (map, data, cfg, extra) {
    extra = extra || {};
    // outlines and sites stay above whichever indicator layer is switched on
    map.createPane("pkOutlines").style.zIndex = 450;
    map.createPane("pkPoints").style.zIndex = 460;
    L.control.scale({ imperial: false }).addTo(map);
    var layers = cfg.layers.map(function (_, i) { return choroplethLayer(map, data, cfg, i); });
    var current = layers[0];
    current.addTo(map);

    var legends = cfg.layers.map(function (layer, i) {
      var ctl = control("bottomright", "pk-legend", layer.legend);
      ctl.pkIndex = i;
      return ctl;
    });
    legends[0].addTo(map);

    var base = {};
    cfg.layers.forEach(function (layer, i) { base[esc(layer.title)] = layers[i]; });
    var overlays = {};
    if (extra.outlines || extra.labels) {
      var outl = outlineLayer(extra.outlines, extra.labels).addTo(map);
      overlays[esc(cfg.texts.outlines)] = outl;
    }
    var pointLegend = null;
    if (extra.points) {
      var pts = pointLayer(extra.points, cfg).addTo(map);
      overlays[esc(extra.points.title)] = pts;
      pointLegend = control("bottomright", "pk-legend pk-point-legend", extra.points.legend).addTo(map);
      map.on("overlayremove", function (e) { if (e.layer === pts) pointLegend.remove(); });
      map.on("overlayadd", function (e) { if (e.layer === pts) pointLegend.addTo(map); });
    }
    L.control.layers(base, overlays, { collapsed: false, position: "topright" }).addTo(map);

    map.on("baselayerchange", function (e) {
      if (e.layer.pkIndex === undefined) return;
      legends.forEach(function (l) { l.remove(); });
      legends[e.layer.pkIndex].addTo(map);
      current = e.layer;
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
    if (cfg.title) {
      var sub = cfg.subtitle ? "<div class='pk-subtitle'>" + esc(cfg.subtitle) + "</div>" : "";
      control("topleft", "pk-title", "<div class='pk-title-text'>" + esc(cfg.title) + "</div>" + sub).addTo(map);
    }
    if (cfg.caption) {
      control("bottomleft", "pk-caption" + (cfg.synthetic ? " pk-synthetic" : ""), esc(cfg.caption)).addTo(map);
    }
    map.pk = { layers: layers, legends: legends, current: function () { return current; } };
  };
})();
