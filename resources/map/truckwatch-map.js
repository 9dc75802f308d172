/*
 * TruckWatch live map page (Leaflet 1.9): the vehicle layer, the Qt bridge and the page API
 * that widgets/map/view.py drives. Positions arrive in WGS-84 and are shifted to GCJ-02 here
 * when the base map's tiles are GCJ-02 (a port of console/domain/geo.py).
 *
 * Why a canvas layer and not leaflet.markercluster: the console must take a full update of
 * 50,000 moved vehicles in well under 50 ms. One DOM marker per truck (what markercluster
 * manages) costs far more than that to move; here a batch only writes typed arrays, and the
 * screen is redrawn once per animation frame on one canvas, with grid clustering below
 * CLUSTER_BELOW_ZOOM.
 *
 * The page exposes window.truckwatch (for view.py, the tests and the benchmark); its
 * `stats` hold lastApplyMs (parse + update of one batch) and lastDrawMs (one redraw).
 */
(function () {
  'use strict';

  // ---- constants --------------------------------------------------------------------------
  // Status codes: the order of MarkerStatus in widgets/map/markers.py.
  var STATUS_NAMES = ['moving', 'stopped', 'offline', 'alarm'];
  var STATUS_ZH = ['行驶', '停车', '离线', '报警'];
  var STATUS_COLOURS = ['#1f9d55', '#2563eb', '#8b939c', '#dc2626'];
  // A cluster takes the colour of its most severe member: alarm > moving > stopped > offline.
  var SEVERITY = [2, 1, 0, 3]; // status code -> severity
  var BY_SEVERITY = [2, 1, 0, 3]; // severity -> status code
  var CLUSTER_BELOW_ZOOM = 14; // from this zoom on, every vehicle is drawn on its own
  var CELL = 64; // px, the clustering grid (anchored to the world, so panning is stable)
  var ICON = 24; // px, the vehicle arrow
  var LIST_LIMIT = 200; // entries in a cluster's list; zoom in for the rest
  var RAD = Math.PI / 180;

  // Leaflet 1.9's invalidateSize forgets the exact centre before it knows whether the map
  // moves; when the size change rounds to no pan at all (a pixel or less), nothing moved,
  // yet getCenter() is then recomputed from the rounded pixel origin and a centred truck
  // reads as off centre. Keep the centre when no resize (and so no pan) happened.
  var invalidateSize = L.Map.prototype.invalidateSize;
  L.Map.include({
    invalidateSize: function (options) {
      var before = this._lastCenter;
      var resized = false;
      var mark = function () { resized = true; };
      this.on('resize', mark);
      var result = invalidateSize.call(this, options);
      this.off('resize', mark);
      if (!resized && before) this._lastCenter = before;
      return result;
    }
  });
  var MAX_LAT = 85.0511287798; // Web Mercator's limit (Leaflet's SphericalMercator)
  // The arrow of resources/map/icons/truck-*.svg (24×24, pointing north).
  var ARROW_PATH = 'M12 1.5 L20.5 21 L12 16.5 L3.5 21 Z';

  // ---- GCJ-02 (port of console/domain/geo.py; keep the two identical) ---------------------
  var GCJ_A = 6378245.0;
  var GCJ_EE = 0.00669342162296594323;
  var OFF_LAT = 0;
  var OFF_LON = 0;

  function outOfChina(lat, lon) {
    return !(lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271);
  }

  // Sets OFF_LAT/OFF_LON to the shift at a WGS-84 point inside China (no allocation: this
  // runs 50,000 times per batch on a GCJ-02 base map).
  function gcjOffset(lat, lon) {
    var x = lon - 105.0;
    var y = lat - 35.0;
    var pi = Math.PI;
    var common = 20.0 * Math.sin(6.0 * x * pi) + 20.0 * Math.sin(2.0 * x * pi);
    var dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    dlat += common * 2.0 / 3.0;
    dlat += (20.0 * Math.sin(y * pi) + 40.0 * Math.sin(y / 3.0 * pi)) * 2.0 / 3.0;
    dlat += (160.0 * Math.sin(y / 12.0 * pi) + 320.0 * Math.sin(y * pi / 30.0)) * 2 / 3;
    var dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    dlon += common * 2.0 / 3.0;
    dlon += (20.0 * Math.sin(x * pi) + 40.0 * Math.sin(x / 3.0 * pi)) * 2.0 / 3.0;
    dlon += (150.0 * Math.sin(x / 12.0 * pi) + 300.0 * Math.sin(x / 30.0 * pi)) * 2 / 3;
    var radLat = lat / 180.0 * pi;
    var s = Math.sin(radLat);
    var magic = 1.0 - GCJ_EE * s * s;
    var sqrtMagic = Math.sqrt(magic);
    OFF_LAT = (dlat * 180.0) / ((GCJ_A * (1.0 - GCJ_EE)) / (magic * sqrtMagic) * pi);
    OFF_LON = (dlon * 180.0) / (GCJ_A / sqrtMagic * Math.cos(radLat) * pi);
  }

  function wgsToGcj(lat, lon) {
    if (outOfChina(lat, lon)) return [lat, lon];
    gcjOffset(lat, lon);
    return [lat + OFF_LAT, lon + OFF_LON];
  }

  function gcjToWgs(lat, lon) {
    if (outOfChina(lat, lon)) return [lat, lon];
    var wlat = lat;
    var wlon = lon;
    for (var i = 0; i < 30; i++) {
      var g = wgsToGcj(wlat, wlon);
      var eLat = g[0] - lat;
      var eLon = g[1] - lon;
      wlat -= eLat;
      wlon -= eLon;
      if (Math.abs(eLat) < 1e-10 && Math.abs(eLon) < 1e-10) break;
    }
    return [wlat, wlon];
  }

  // ---- state --------------------------------------------------------------------------------
  var map = null;
  var bridge = null;
  var tiles = [];
  var outlines = null;
  var gcj = false; // is the current base map GCJ-02?
  // Where a command last centred the map. Leaflet keeps the centre through a resize only to
  // the nearest pixel (invalidateSize pans by a rounded half of the size change), so a
  // centred truck would drift off centre as docks and windows change size; any other move
  // (drag, zoom, fit) forgets it.
  var centred = null;
  var baseMap = null;
  var followId = null;
  var trails = new Map(); // vehicle id -> {wgs: [[lat, lon]], line: L.Polyline}
  var canvas = null;
  var ctx = null;
  var tip = null;
  var legendCount = null;
  var drawPending = false;
  var sprites = [];
  var grid = null; // the clustering grid of the last draw (for a cluster's member list)

  var stats = {
    lastApplyMs: 0, lastParseMs: 0, lastDrawMs: 0, lastBatchSize: 0, batches: 0, draws: 0,
    lastClicked: null, ready: false
  };

  // Vehicles live in slots of parallel typed arrays (slots assigned by Python);
  // idx maps vehicle id -> slot.
  var S = {
    cap: 0, hi: 0, idx: new Map(), ids: [], plates: [],
    lat: null, lon: null, dlat: null, dlon: null, mx: null, my: null,
    dir: null, spd: null, st: null, alive: null
  };

  // Hit targets of the last draw: >= 0 a slot, < 0 a cluster -(cell + 1).
  var H = { n: 0, x: new Float32Array(0), y: new Float32Array(0), r: new Float32Array(0),
            ref: new Int32Array(0) };

  function growTyped(old, Type, cap) {
    var a = new Type(cap);
    if (old) a.set(old);
    return a;
  }

  function ensureCapacity(need) {
    if (need <= S.cap) return;
    var cap = Math.max(1024, S.cap);
    while (cap < need) cap *= 2;
    S.lat = growTyped(S.lat, Float64Array, cap);
    S.lon = growTyped(S.lon, Float64Array, cap);
    S.dlat = growTyped(S.dlat, Float64Array, cap);
    S.dlon = growTyped(S.dlon, Float64Array, cap);
    S.mx = growTyped(S.mx, Float64Array, cap);
    S.my = growTyped(S.my, Float64Array, cap);
    S.dir = growTyped(S.dir, Int16Array, cap);
    S.spd = growTyped(S.spd, Float32Array, cap);
    S.st = growTyped(S.st, Uint8Array, cap);
    S.alive = growTyped(S.alive, Uint8Array, cap);
    S.cap = cap;
  }

  function ensureHits(need) {
    if (need <= H.x.length) return;
    var cap = Math.max(1024, H.x.length * 2, need);
    H.x = growTyped(H.x, Float32Array, cap);
    H.y = growTyped(H.y, Float32Array, cap);
    H.r = growTyped(H.r, Float32Array, cap);
    H.ref = growTyped(H.ref, Int32Array, cap);
  }

  // Display coordinates (WGS-84 or GCJ-02) and normalised Web Mercator of one slot.
  function place(slot, lat, lon) {
    if (gcj && !outOfChina(lat, lon)) {
      gcjOffset(lat, lon);
      lat += OFF_LAT;
      lon += OFF_LON;
    }
    S.dlat[slot] = lat;
    S.dlon[slot] = lon;
    S.mx[slot] = (lon + 180) / 360;
    var c = lat > MAX_LAT ? MAX_LAT : lat < -MAX_LAT ? -MAX_LAT : lat;
    var s = Math.sin(c * RAD);
    S.my[slot] = 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
  }

  function toDisplay(lat, lon) {
    return gcj ? wgsToGcj(lat, lon) : [lat, lon];
  }

  function fromDisplay(lat, lon) {
    return gcj ? gcjToWgs(lat, lon) : [lat, lon];
  }

  // ---- batches and commands from Python ---------------------------------------------------
  function decodeBase64(b64) {
    if (Uint8Array.fromBase64) return Uint8Array.fromBase64(b64);
    var bin = atob(b64);
    var n = bin.length;
    var out = new Uint8Array(n);
    for (var i = 0; i < n; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  // One batch from widgets/map/markers.py BatchEncoder: Python assigns the slots, so moved
  // vehicles need no id lookups here; new vehicles (and changed plates) come in b.n.
  function applyBatch(text) {
    var t0 = performance.now();
    var b = JSON.parse(text);
    var n = b.c;
    var bytes = decodeBase64(b.b);
    stats.lastParseMs = performance.now() - t0;
    var buf = bytes.buffer;
    var off = bytes.byteOffset;
    var lat = new Float64Array(buf, off, n);
    var lon = new Float64Array(buf, off + 8 * n, n);
    var slots = new Int32Array(buf, off + 16 * n, n);
    var spd = new Float32Array(buf, off + 20 * n, n);
    var dir = new Int16Array(buf, off + 24 * n, n);
    var st = new Uint8Array(buf, off + 26 * n, n);
    ensureCapacity(b.m);
    if (b.m > S.hi) S.hi = b.m;
    var fresh = b.n;
    for (var j = 0; j < fresh.length; j++) {
      var slot = fresh[j][0];
      var id = fresh[j][1];
      var old = S.ids[slot];
      if (old !== id) {
        if (old !== null && old !== undefined && S.idx.get(old) === slot) S.idx.delete(old);
        S.idx.set(id, slot);
        S.ids[slot] = id;
      }
      S.plates[slot] = fresh[j][2];
      S.alive[slot] = 1;
    }
    for (var k = 0; k < n; k++) {
      var s = slots[k];
      S.lat[s] = lat[k];
      S.lon[s] = lon[k];
      S.dir[s] = dir[k];
      S.spd[s] = spd[k];
      S.st[s] = st[k];
      place(s, lat[k], lon[k]);
    }
    stats.lastApplyMs = performance.now() - t0;
    stats.lastBatchSize = n;
    stats.batches++;
    if (followId !== null && S.idx.has(followId)) keepFollowed();
    updateLegend();
    scheduleDraw();
  }

  function removeVehicles(ids) {
    for (var k = 0; k < ids.length; k++) {
      var slot = S.idx.get(ids[k]);
      if (slot === undefined) continue;
      S.idx.delete(ids[k]);
      S.alive[slot] = 0;
      S.ids[slot] = null;
      S.plates[slot] = null; // the slot is Python's to reuse (BatchEncoder.remove)
      showTrail(ids[k], []);
      if (followId === ids[k]) followId = null;
    }
    updateLegend();
    scheduleDraw();
  }

  function clearAll() {
    S.idx = new Map();
    S.ids = [];
    S.plates = [];
    S.hi = 0;
    if (S.alive) S.alive.fill(0);
    trails.forEach(function (t) { map.removeLayer(t.line); });
    trails.clear();
    followId = null;
    map.closePopup();
    updateLegend();
    scheduleDraw();
  }

  function centreOn(id, zoom) {
    var slot = S.idx.get(id);
    if (slot === undefined) {
      console.info('truckwatch: centre on unknown vehicle ' + id);
      return false;
    }
    var z = zoom === null || zoom === undefined ? map.getZoom() : zoom;
    centreAt([S.dlat[slot], S.dlon[slot]], z);
    return true;
  }

  // `reset`: redraw the view around the exact point. A plain setView at the same zoom pans
  // by whole pixels only, which is what leaves the sub-pixel drift; a reset also reloads the
  // tiles, so only a resize (which redraws them anyway) asks for one.
  function centreAt(latlng, zoom, reset) {
    map.setView(latlng, zoom, { animate: false, reset: !!reset }); // movestart clears `centred`
    centred = latlng;
  }

  // Pans only when the followed vehicle is a pixel or more off the centre (Leaflet pans by
  // whole pixels, so comparing coordinates would pan on every batch).
  function keepFollowed() {
    var slot = S.idx.get(followId);
    var p = map.latLngToContainerPoint([S.dlat[slot], S.dlon[slot]]);
    var half = map.getSize().divideBy(2);
    if (Math.abs(p.x - half.x) >= 1 || Math.abs(p.y - half.y) >= 1) {
      centreAt([S.dlat[slot], S.dlon[slot]], map.getZoom());
    }
  }

  function follow(id) {
    followId = id;
    if (id !== null && S.idx.has(id)) keepFollowed();
  }

  function showTrail(id, points) {
    var t = trails.get(id);
    if (!points || points.length === 0) {
      if (t) {
        map.removeLayer(t.line);
        trails.delete(id);
      }
      return;
    }
    var latlngs = points.map(function (p) { return toDisplay(p[0], p[1]); });
    if (t) {
      t.wgs = points;
      t.line.setLatLngs(latlngs);
    } else {
      var line = L.polyline(latlngs, {
        color: '#f97316', weight: 3, opacity: 0.9, interactive: false
      }).addTo(map);
      trails.set(id, { wgs: points, line: line });
    }
  }

  function fitAll() {
    var minLat = Infinity, minLon = Infinity, maxLat = -Infinity, maxLon = -Infinity;
    for (var i = 0; i < S.hi; i++) {
      if (!S.alive[i]) continue;
      var la = S.dlat[i];
      var lo = S.dlon[i];
      if (la < minLat) minLat = la;
      if (la > maxLat) maxLat = la;
      if (lo < minLon) minLon = lo;
      if (lo > maxLon) maxLon = lo;
    }
    if (minLat === Infinity) {
      if (outlines) map.fitBounds(outlines.getBounds(), { animate: false });
      return;
    }
    if (minLat === maxLat && minLon === maxLon) {
      map.setView([minLat, minLon], Math.max(map.getZoom(), CLUSTER_BELOW_ZOOM), { animate: false });
      return;
    }
    map.fitBounds([[minLat, minLon], [maxLat, maxLon]], { padding: [30, 30], animate: false });
  }

  function tileOptions(spec, zIndex) {
    var o = { attribution: spec.attribution, maxZoom: spec.max_zoom, zIndex: zIndex };
    if (spec.subdomains) o.subdomains = spec.subdomains;
    return o;
  }

  function reprojectAll() {
    for (var i = 0; i < S.hi; i++) if (S.alive[i]) place(i, S.lat[i], S.lon[i]);
    trails.forEach(function (t) {
      t.line.setLatLngs(t.wgs.map(function (p) { return toDisplay(p[0], p[1]); }));
    });
    if (outlines) {
      outlines.eachLayer(function (layer) {
        layer.setLatLngs(mapRings(layer._twWgs, toDisplay));
      });
    }
  }

  // Nested rings of L.LatLng or [lat, lon] pairs -> the same nesting of fn(lat, lon).
  function mapRings(rings, fn) {
    return rings.map(function (r) {
      if (r instanceof L.LatLng) return fn(r.lat, r.lng);
      if (typeof r[0] === 'number') return fn(r[0], r[1]);
      return mapRings(r, fn);
    });
  }

  function setBaseMap(spec) {
    tiles.forEach(function (t) { map.removeLayer(t); });
    tiles = [];
    if (spec.url) tiles.push(L.tileLayer(spec.url, tileOptions(spec, 1)).addTo(map));
    if (spec.overlay_url) {
      tiles.push(L.tileLayer(spec.overlay_url, tileOptions(spec, 2)).addTo(map));
    }
    map.getContainer().style.background = spec.background;
    map.setMaxZoom(spec.max_zoom);
    var wantGcj = spec.crs === 'gcj02';
    if (wantGcj !== gcj) {
      // Keep the same ground under the centre of the view while the datum changes.
      var c = map.getCenter();
      var wgs = fromDisplay(c.lat, c.lng);
      gcj = wantGcj;
      reprojectAll();
      map.setView(toDisplay(wgs[0], wgs[1]), map.getZoom(), { animate: false });
    }
    baseMap = spec;
    scheduleDraw();
  }

  function runCommand(text) {
    var c = JSON.parse(text);
    switch (c.op) {
      case 'remove': removeVehicles(c.ids); break;
      case 'clear': clearAll(); break;
      case 'centre': centreOn(c.id, c.zoom); break;
      case 'follow': follow(c.id); break;
      case 'trail': showTrail(c.id, c.points); break;
      case 'fit': fitAll(); break;
      case 'baseMap': setBaseMap(c.spec); break;
      default: console.error('truckwatch: unknown command ' + c.op);
    }
  }

  // Errors inside a bridge callback would otherwise vanish inside qwebchannel.js.
  function guarded(fn) {
    return function (arg) {
      try {
        fn(arg);
      } catch (e) {
        console.error('truckwatch: ' + (e && e.stack ? e.stack : e));
      }
    };
  }

  // ---- drawing ------------------------------------------------------------------------------
  function makeSprites() {
    var dpr = window.devicePixelRatio || 1;
    var path = new Path2D(ARROW_PATH);
    sprites = STATUS_COLOURS.map(function (colour) {
      var c = document.createElement('canvas');
      c.width = c.height = Math.ceil(ICON * dpr);
      var g = c.getContext('2d');
      g.scale(dpr * ICON / 24, dpr * ICON / 24);
      g.lineJoin = 'round';
      g.lineWidth = 2;
      g.strokeStyle = '#ffffff';
      g.fillStyle = colour;
      g.stroke(path);
      g.fill(path);
      return c;
    });
  }

  function scheduleDraw() {
    if (drawPending) return;
    drawPending = true;
    requestAnimationFrame(function () {
      if (drawPending) draw();
    });
  }

  // Draw now if a redraw is pending (hit tests must see what the user sees).
  function flushDraw() {
    if (drawPending) draw();
  }

  function addHit(x, y, r, ref) {
    if (H.n >= H.x.length) ensureHits(H.n + 1);
    H.x[H.n] = x;
    H.y[H.n] = y;
    H.r[H.n] = r;
    H.ref[H.n] = ref;
    H.n++;
  }

  function draw() {
    drawPending = false;
    if (!map || !canvas) return;
    var t0 = performance.now();
    var size = map.getSize();
    var w = size.x;
    var h = size.y;
    var dpr = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
      canvas.style.width = w + 'px';
      canvas.style.height = h + 'px';
    }
    var topLeft = map.containerPointToLayerPoint([0, 0]);
    L.DomUtil.setPosition(canvas, topLeft);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    var zoom = map.getZoom();
    var scale = 256 * Math.pow(2, zoom);
    var origin = map.getPixelOrigin();
    // world pixel of the container's top-left corner
    var offX = origin.x + topLeft.x;
    var offY = origin.y + topLeft.y;
    H.n = 0;
    grid = null;
    if (zoom >= CLUSTER_BELOW_ZOOM) drawSingles(w, h, dpr, scale, offX, offY);
    else drawClusters(w, h, dpr, scale, offX, offY);
    stats.lastDrawMs = performance.now() - t0;
    stats.draws++;
  }

  function drawArrow(slot, x, y, dpr) {
    var a = S.dir[slot] * RAD;
    var c = Math.cos(a) * dpr;
    var s = Math.sin(a) * dpr;
    // rotate clockwise from north about (x, y)
    ctx.setTransform(c, s, -s, c, x * dpr, y * dpr);
    ctx.drawImage(sprites[S.st[slot]], -ICON / 2, -ICON / 2, ICON, ICON);
  }

  function drawSingles(w, h, dpr, scale, offX, offY) {
    var m = ICON;
    // two passes so that alarms are drawn on top
    for (var pass = 0; pass < 2; pass++) {
      for (var i = 0; i < S.hi; i++) {
        if (!S.alive[i] || (S.st[i] === 3) !== (pass === 1)) continue;
        var x = S.mx[i] * scale - offX;
        var y = S.my[i] * scale - offY;
        if (x < -m || y < -m || x > w + m || y > h + m) continue;
        drawArrow(i, x, y, dpr);
        addHit(x, y, ICON / 2, i);
      }
    }
  }

  function clusterCellOf(i, g) {
    var cx = Math.floor(S.mx[i] * g.scale / CELL) - g.col0;
    var cy = Math.floor(S.my[i] * g.scale / CELL) - g.row0;
    if (cx < 0 || cy < 0 || cx >= g.cols || cy >= g.rows) return -1;
    return cx + cy * g.cols;
  }

  var G = { count: new Int32Array(0), sx: new Float64Array(0), sy: new Float64Array(0),
            sev: new Int8Array(0), first: new Int32Array(0) };

  function drawClusters(w, h, dpr, scale, offX, offY) {
    var g = {
      scale: scale,
      col0: Math.floor(offX / CELL) - 1,
      row0: Math.floor(offY / CELL) - 1,
      cols: Math.ceil(w / CELL) + 3,
      rows: Math.ceil(h / CELL) + 3
    };
    grid = g;
    var nc = g.cols * g.rows;
    if (G.count.length < nc) {
      G.count = new Int32Array(nc);
      G.sx = new Float64Array(nc);
      G.sy = new Float64Array(nc);
      G.sev = new Int8Array(nc);
      G.first = new Int32Array(nc);
    } else {
      G.count.fill(0, 0, nc);
      G.sx.fill(0, 0, nc);
      G.sy.fill(0, 0, nc);
      G.sev.fill(0, 0, nc);
    }
    var mx = S.mx, my = S.my, alive = S.alive, st = S.st;
    var col0 = g.col0, row0 = g.row0, cols = g.cols, rows = g.rows;
    for (var i = 0; i < S.hi; i++) {
      if (!alive[i]) continue;
      var wx = mx[i] * scale;
      var wy = my[i] * scale;
      var cx = Math.floor(wx / CELL) - col0;
      var cy = Math.floor(wy / CELL) - row0;
      if (cx < 0 || cy < 0 || cx >= cols || cy >= rows) continue;
      var c = cx + cy * cols;
      if (G.count[c] === 0) G.first[c] = i;
      G.count[c]++;
      G.sx[c] += wx;
      G.sy[c] += wy;
      var sv = SEVERITY[st[i]];
      if (sv > G.sev[c]) G.sev[c] = sv;
    }
    // lone vehicles first, clusters on top of them
    for (var pass = 0; pass < 2; pass++) {
      for (var cell = 0; cell < nc; cell++) {
        var n = G.count[cell];
        if (n === 0 || (n === 1) !== (pass === 0)) continue;
        if (n === 1) {
          var slot = G.first[cell];
          var x = mx[slot] * scale - offX;
          var y = my[slot] * scale - offY;
          drawArrow(slot, x, y, dpr);
          addHit(x, y, ICON / 2, slot);
        } else {
          var px = G.sx[cell] / n - offX;
          var py = G.sy[cell] / n - offY;
          var r = drawCluster(px, py, n, BY_SEVERITY[G.sev[cell]], dpr);
          addHit(px, py, r, -(cell + 1));
        }
      }
    }
  }

  function countLabel(n) {
    if (n < 10000) return String(n);
    return (n / 10000).toFixed(n < 100000 ? 1 : 0) + '万';
  }

  function drawCluster(x, y, n, status, dpr) {
    var r = n < 10 ? 13 : n < 100 ? 16 : n < 1000 ? 19 : 23;
    var colour = STATUS_COLOURS[status];
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.globalAlpha = 0.35;
    ctx.fillStyle = colour;
    ctx.beginPath();
    ctx.arc(x, y, r + 5, 0, 2 * Math.PI);
    ctx.fill();
    ctx.globalAlpha = 1;
    ctx.beginPath();
    ctx.arc(x, y, r, 0, 2 * Math.PI);
    ctx.fill();
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = '#ffffff';
    ctx.stroke();
    ctx.fillStyle = '#ffffff';
    ctx.font = 'bold 12px sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(countLabel(n), x, y);
    return r + 5;
  }

  // ---- pointer: hover tooltip, clicks, cluster lists -------------------------------------------
  function hitTest(x, y) {
    flushDraw();
    for (var k = H.n - 1; k >= 0; k--) { // topmost first
      var dx = H.x[k] - x;
      var dy = H.y[k] - y;
      if (dx * dx + dy * dy <= H.r[k] * H.r[k]) return { ref: H.ref[k], x: H.x[k], y: H.y[k] };
    }
    return null;
  }

  function clusterMembers(cell) {
    var out = [];
    if (!grid) return out;
    for (var i = 0; i < S.hi; i++) {
      if (S.alive[i] && clusterCellOf(i, grid) === cell) out.push(i);
    }
    return out;
  }

  function vehicleLine(slot) {
    return S.plates[slot] + ' · ' + STATUS_ZH[S.st[slot]] + ' · ' +
      Math.round(S.spd[slot]) + ' km/h';
  }

  function onMouseMove(e) {
    var hit = hitTest(e.containerPoint.x, e.containerPoint.y);
    if (!hit) {
      tip.style.display = 'none';
      canvas.style.cursor = '';
      return;
    }
    var text;
    if (hit.ref >= 0) {
      text = vehicleLine(hit.ref);
    } else {
      text = G.count[-hit.ref - 1] + ' 辆车，点击查看列表'; // counted by the last draw
    }
    tip.textContent = text;
    tip.style.display = 'block';
    tip.style.left = (hit.x + 14) + 'px';
    tip.style.top = (hit.y - 10) + 'px';
    canvas.style.cursor = 'pointer';
  }

  function notifyClicked(id) {
    stats.lastClicked = id;
    if (bridge) bridge.vehicleClicked(id);
  }

  function onClick(e) {
    var hit = hitTest(e.containerPoint.x, e.containerPoint.y);
    if (!hit) return;
    if (hit.ref >= 0) notifyClicked(S.ids[hit.ref]);
    else openClusterList(-hit.ref - 1, hit.x, hit.y);
  }

  function byStatusThenPlate(a, b) {
    var d = SEVERITY[S.st[b]] - SEVERITY[S.st[a]];
    if (d) return d;
    var pa = S.plates[a], pb = S.plates[b];
    return pa < pb ? -1 : pa > pb ? 1 : 0;
  }

  function openClusterList(cell, x, y) {
    var members = clusterMembers(cell).sort(byStatusThenPlate);
    var box = L.DomUtil.create('div', 'tw-cluster-list');
    var title = L.DomUtil.create('div', 'tw-cluster-title', box);
    title.textContent = '本区域车辆 (' + members.length + ')';
    var list = L.DomUtil.create('ul', '', box);
    members.slice(0, LIST_LIMIT).forEach(function (slot) {
      var li = L.DomUtil.create('li', 'tw-status-' + STATUS_NAMES[S.st[slot]], list);
      li.dataset.vehicle = S.ids[slot];
      li.textContent = vehicleLine(slot);
    });
    if (members.length > LIST_LIMIT) {
      var more = L.DomUtil.create('li', 'tw-more', list);
      more.textContent = '另有 ' + (members.length - LIST_LIMIT) + ' 辆，放大地图查看';
    }
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    box.addEventListener('click', function (ev) {
      var li = ev.target.closest('[data-vehicle]');
      if (li) pick(li.dataset.vehicle);
    });
    L.popup({ maxWidth: 300, className: 'tw-popup', autoPan: true })
      .setLatLng(map.containerPointToLatLng([x, y]))
      .setContent(box)
      .openOn(map);
  }

  function pick(id) {
    map.closePopup();
    centreOn(id, Math.max(map.getZoom(), CLUSTER_BELOW_ZOOM));
    notifyClicked(id);
  }

  // A real click event at a container point, through Leaflet's own handling (tests).
  function clickAt(x, y) {
    flushDraw();
    var r = map.getContainer().getBoundingClientRect();
    var target = document.elementFromPoint(r.left + x, r.top + y) || map.getContainer();
    var init = { bubbles: true, cancelable: true, view: window, clientX: r.left + x,
                 clientY: r.top + y, button: 0 };
    target.dispatchEvent(new MouseEvent('mousedown', init));
    target.dispatchEvent(new MouseEvent('mouseup', init));
    target.dispatchEvent(new MouseEvent('click', init));
  }

  // ---- legend -------------------------------------------------------------------------------
  function addLegend() {
    var legend = L.control({ position: 'bottomleft' });
    legend.onAdd = function () {
      var box = L.DomUtil.create('div', 'tw-legend');
      STATUS_ZH.forEach(function (name, code) {
        var item = L.DomUtil.create('span', 'tw-legend-item', box);
        var dot = L.DomUtil.create('i', '', item);
        dot.style.background = STATUS_COLOURS[code];
        item.appendChild(document.createTextNode(name));
      });
      legendCount = L.DomUtil.create('span', 'tw-legend-count', box);
      legendCount.textContent = '车辆 0';
      return box;
    };
    legend.addTo(map);
  }

  function updateLegend() {
    if (legendCount) legendCount.textContent = '车辆 ' + S.idx.size;
  }

  // ---- start-up -----------------------------------------------------------------------------
  function connectBridge() {
    if (typeof QWebChannel === 'undefined' || typeof qt === 'undefined') {
      console.warn('truckwatch: no Qt bridge (page opened outside the console)');
      return;
    }
    new QWebChannel(qt.webChannelTransport, function (channel) {
      bridge = channel.objects.bridge;
      bridge.positions.connect(guarded(applyBatch));
      bridge.command.connect(guarded(runCommand));
      stats.ready = true;
      bridge.pageReady();
    });
  }

  var VehicleLayer = L.Layer.extend({
    onAdd: function (m) {
      var pane = m.getPane('twVehicles');
      canvas = L.DomUtil.create('canvas', 'tw-vehicles leaflet-zoom-hide', pane);
      ctx = canvas.getContext('2d');
      m.on('move zoomend resize viewreset', scheduleDraw);
      m.on('mousemove', onMouseMove);
      m.on('click', onClick);
      m.on('mouseout', function () { tip.style.display = 'none'; });
      scheduleDraw();
    }
  });

  function init(leafletMap, opts) {
    map = leafletMap;
    tiles = opts.tiles || [];
    outlines = opts.outlines || null;
    baseMap = opts.baseMap;
    gcj = baseMap.crs === 'gcj02';
    map.getContainer().style.background = baseMap.background;
    map.setMaxZoom(baseMap.max_zoom);
    var pane = map.createPane('twVehicles');
    pane.style.zIndex = 450; // above outlines and trails (400), below tooltips/popups
    tip = L.DomUtil.create('div', 'tw-tip', map.getContainer());
    makeSprites();
    if (outlines) {
      // keep the WGS-84 rings so that a datum switch can redraw them
      outlines.eachLayer(function (layer) {
        layer._twWgs = mapRings(layer.getLatLngs(), function (lat, lon) { return [lat, lon]; });
      });
      if (gcj) reprojectAll();
      map.fitBounds(outlines.getBounds(), { animate: false });
    }
    map.on('movestart', function () { centred = null; });
    map.on('resize', function () { if (centred) centreAt(centred, map.getZoom(), true); });
    new VehicleLayer().addTo(map);
    addLegend();
    document.addEventListener('visibilitychange', scheduleDraw);
    connectBridge();
  }

  // ---- page API -----------------------------------------------------------------------------
  window.truckwatch = {
    init: init,
    applyBatch: applyBatch,
    command: runCommand,
    stats: stats,
    count: function () { return S.idx.size; },
    ids: function () { return Array.from(S.idx.keys()); },
    position: function (id) {
      var slot = S.idx.get(id);
      if (slot === undefined) return null;
      return { lat: S.lat[slot], lon: S.lon[slot], displayLat: S.dlat[slot],
               displayLon: S.dlon[slot], direction: S.dir[slot], speed: S.spd[slot],
               status: STATUS_NAMES[S.st[slot]], plate: S.plates[slot] };
    },
    containerPoint: function (id) {
      var slot = S.idx.get(id);
      if (slot === undefined) return null;
      var p = map.latLngToContainerPoint([S.dlat[slot], S.dlon[slot]]);
      return [p.x, p.y];
    },
    hitTest: function (x, y) {
      var hit = hitTest(x, y);
      if (!hit) return null;
      return hit.ref >= 0 ? { vehicle: S.ids[hit.ref] }
        : { cluster: clusterMembers(-hit.ref - 1).map(function (s) { return S.ids[s]; }) };
    },
    clickAt: clickAt,
    drawNow: function () { draw(); return stats.lastDrawMs; },
    crs: function () { return gcj ? 'gcj02' : 'wgs84'; },
    baseMapKey: function () { return baseMap ? baseMap.key : null; },
    tileUrls: function () { return tiles.map(function (t) { return t._url; }); },
    outlineCount: function () { return outlines ? outlines.getLayers().length : 0; },
    outlineRing: function (code) {
      var found = null;
      if (!outlines) return null;
      outlines.eachLayer(function (layer) {
        if (layer.feature.properties.code === code) {
          found = layer.getLatLngs()[0].map(function (p) { return [p.lat, p.lng]; });
        }
      });
      return found;
    },
    trail: function (id) {
      var t = trails.get(id);
      return t ? t.line.getLatLngs().map(function (p) { return [p.lat, p.lng]; }) : null;
    },
    followed: function () { return followId; },
    center: function () { var c = map.getCenter(); return [c.lat, c.lng]; },
    zoom: function () { return map.getZoom(); },
    wgsToGcj: wgsToGcj,
    gcjToWgs: gcjToWgs,
    outOfChina: outOfChina
  };
})();
