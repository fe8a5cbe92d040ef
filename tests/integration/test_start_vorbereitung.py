"""ui.start on the real Aachen demo: the first visit's data is prepared before the server runs."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from layers import settings


def test_preparing_loads_the_karte_data_without_the_map_component(aachen_build):
    """In a new process: after the preparation, the page's map layers come from memory."""
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(settings.project_root)!r})
        from ui import start
        steps = start.prepare_first_visit("aachen")
        assert steps["karte_s"] > 0, steps
        assert "streamlit_folium" not in sys.modules
        from planungsraeume.region import Region
        from ui import cached
        started = time.perf_counter()
        cached.map_layers(Region.open("aachen"))
        print(time.perf_counter() - started)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert float(done.stdout.strip().splitlines()[-1]) < 0.05  # from the result cache's memory
