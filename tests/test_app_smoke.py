"""The app opens on the demo region without exception and shows real data."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from layers import settings


def test_app_opens_and_shows_services(aachen_store):
    app = AppTest.from_file(str(settings.project_root / "app.py"), default_timeout=120)
    app.run()
    assert not app.exception, app.exception
    assert any("Karte" in t.value for t in app.title)
    metric = app.metric[0]
    assert int(metric.value) > 50
    # Narrowing the service types changes the number shown.
    app.multiselect[0].set_value(["EUTB"]).run()
    assert not app.exception
    assert int(app.metric[0].value) == 2
