"""Accessibility helpers shared by every page and every map (WCAG 2.1 AA).

* :data:`PAGE_CSS`: labels wrap instead of being cut off (200 % zoom, WCAG 1.4.4 and 1.4.10),
  and the skip link of a map becomes visible when it has the keyboard focus.
* :data:`MAP_SCRIPT`: runs inside every Leaflet map (see :func:`ui.maps`): the drawn shapes
  (cells, planning areas, isochrones) are taken out of the Tab order, because the same figures
  stand in the tables under the map (WCAG 2.4.3, 1.1.1); a skip link at the start of the map
  moves the focus to the first control after the map. Markers keep their names and stay
  reachable.

The German texts of Streamlit's own controls ("Skip to main content", "Help for …", the menu,
"Page not found") are set by the small component in ``ui/frontend/index.html`` (rendered once per
page by :func:`ui.assets.set_page_language`).
"""

from __future__ import annotations

from layers.sicher import script_json

__all__ = ["MAP_SCRIPT", "MAP_SKIP_TEXT", "PAGE_CSS", "map_script"]

#: Text of the link at the start of every map (read by screen readers, shown on focus).
MAP_SKIP_TEXT = "Karte überspringen: dieselben Angaben stehen in der Tabelle unter der Karte"

PAGE_CSS = """
<style>
/* Labels wrap rather than being cut off with an ellipsis (200 % zoom, narrow screens). */
[data-testid="stWidgetLabel"], [data-testid="stWidgetLabel"] p,
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] div, [data-testid="stMetricLabel"] p,
[data-testid="stMetricValue"], [data-testid="stMetricValue"] div,
[data-testid="stExpander"] summary p, [data-baseweb="tab"] p,
[data-testid="stRadio"] label p, [data-testid="stCheckbox"] label p,
[data-testid="stButton"] button *, [data-testid="stDownloadButton"] button *,
[data-testid="stLinkButton"] a * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  overflow-wrap: normal; word-break: normal; hyphens: manual;
}
[data-testid="stButton"] button, [data-testid="stDownloadButton"] button { height: auto; }
</style>
"""

# JavaScript run in each map's document after the map is drawn (``map`` is the Leaflet map).
MAP_SCRIPT = """
(function () {
  var doc = map.getContainer().ownerDocument;
  function untab() {
    doc.querySelectorAll('.leaflet-overlay-pane .leaflet-interactive').forEach(function (shape) {
      if (shape.getAttribute('tabindex') !== '-1') {
        shape.setAttribute('tabindex', '-1');
        shape.setAttribute('focusable', 'false');
      }
    });
  }
  untab();
  map.on('layeradd', untab);
  var pane = map.getPanes().overlayPane;
  if (window.MutationObserver && pane) {
    new MutationObserver(untab).observe(pane, {childList: true, subtree: true});
  }
  if (!doc.querySelector('.sa-karte-ueberspringen')) {
    var skip = doc.createElement('a');
    skip.href = '#';
    skip.className = 'sa-karte-ueberspringen';
    skip.textContent = %(text)s;
    skip.setAttribute('style', 'position:absolute;left:-10000px;top:0;z-index:10000;' +
      'background:#fff;color:#1a1a1a;padding:6px 10px;border:3px solid #1a1a1a;font:16px sans-serif;');
    skip.addEventListener('focus', function () { skip.style.left = '4px'; });
    skip.addEventListener('blur', function () { skip.style.left = '-10000px'; });
    skip.addEventListener('click', function (event) {
      event.preventDefault();
      var frame = window.frameElement;
      if (!frame) { return; }
      var parentDoc = frame.ownerDocument;
      var all = parentDoc.querySelectorAll('a[href], button, input, select, textarea, summary, ' +
        'iframe, [tabindex]:not([tabindex="-1"])');
      for (var i = 0; i < all.length; i++) {
        var el = all[i];
        if ((frame.compareDocumentPosition(el) & 4) && !el.disabled && el.getClientRects().length) {
          el.focus();
          return;
        }
      }
    });
    doc.body.insertBefore(skip, doc.body.firstChild);
  }
})();
"""


def map_script() -> str:
    """The script of :data:`MAP_SCRIPT` with its German skip text (escaped for JavaScript)."""
    return MAP_SCRIPT % {"text": script_json(MAP_SKIP_TEXT)}
