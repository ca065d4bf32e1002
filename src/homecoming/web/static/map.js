// The map: the stored sites, graves and hazard areas (GeoJSON from /map/features.geojson),
// drawn with Leaflet. No tile server is needed: a base-map tile URL is used only when the
// configuration gives one (data-tile-url).
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  function text(s) { var d = document.createElement("div"); d.textContent = s == null ? "" : String(s); return d.innerHTML; }
  ready(function () {
    var el = document.getElementById("map");
    if (!el || typeof L === "undefined") { return; }
    var map = L.map(el, { zoomControl: true, attributionControl: true });
    var tileUrl = el.dataset.tileUrl;
    if (tileUrl) {
      L.tileLayer(tileUrl, { attribution: el.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
    }
    fetch(el.dataset.features, { credentials: "same-origin", headers: { "Accept": "application/geo+json" } })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (layers) {
        var hazards = L.geoJSON(layers.hazards, {
          style: function (f) {
            return f.properties.cleared
              ? { color: "#3b7d3b", weight: 2, fillOpacity: 0.15, dashArray: "4 4", className: "hazard cleared" }
              : { color: "#b00020", weight: 2, fillColor: "#b00020", fillOpacity: 0.3, className: "hazard not-cleared" };
          },
          onEachFeature: function (f, layer) {
            layer.bindPopup("<strong>" + text(f.properties.id) + "</strong><br>" + text(f.properties.hazard) + " — " +
              text(f.properties.cleared ? el.dataset.labelCleared : el.dataset.labelNotCleared));
          }
        });
        var sites = L.geoJSON(layers.sites, {
          style: function () { return { color: "#1f4e9c", weight: 2, fillOpacity: 0.08, className: "site" }; },
          pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 9, color: "#1f4e9c", className: "site" }); },
          onEachFeature: function (f, layer) {
            layer.bindPopup('<a href="/records/sites/' + encodeURIComponent(f.properties.id) + '">' + text(f.properties.name) + "</a>");
          }
        });
        var graves = L.geoJSON(layers.graves, {
          pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 4, color: "#5a3e1b", weight: 1, fillOpacity: 0.8, className: "grave" }); },
          onEachFeature: function (f, layer) {
            layer.bindPopup('<a href="/records/graves/' + encodeURIComponent(f.properties.id) + '">' + text(f.properties.label) + "</a>");
          }
        });
        sites.addTo(map); graves.addTo(map); hazards.addTo(map);
        var overlays = {};
        overlays[el.dataset.labelSites] = sites;
        overlays[el.dataset.labelGraves] = graves;
        overlays[el.dataset.labelHazards] = hazards;
        L.control.layers(null, overlays, { collapsed: window.innerWidth < 640 }).addTo(map);
        L.control.scale().addTo(map);
        var all = L.featureGroup([sites, graves, hazards]);
        var bounds = all.getBounds();
        if (bounds.isValid()) { map.fitBounds(bounds.pad(0.1)); } else { map.setView([49.0, 31.0], 6); }
        el.dataset.loaded = String(layers.sites.features.length + layers.graves.features.length + layers.hazards.features.length);
      })
      .catch(function (err) { el.dataset.error = String(err); el.textContent = String(err); });
  });
})();
