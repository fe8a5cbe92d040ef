"""The command line reports errors in German with status 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys

from layers import settings


def test_cli_reports_errors_in_german_with_status_2(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "cli", "build", "--region", "atlantis"],
        capture_output=True, text=True, cwd=settings.project_root,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("Fehler: ")
    assert "Traceback" not in result.stderr
