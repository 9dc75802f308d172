"""The live map: :class:`widgets.map.view.MapView` (Leaflet in QtWebEngine), its base maps
(:mod:`~widgets.map.basemaps`), the markers it takes (:mod:`~widgets.map.markers`) and the
page it loads (:mod:`~widgets.map.page`, assets in ``resources/map``)."""
