#!/usr/bin/env python3
"""Set-up and task runner of Sozialraum-Atlas; works the same on Linux, macOS and Windows.

    python dev.py app     set up, build the demo region if needed, start the app (only for
                          this computer; --im-netz or SOZIALRAUM_IM_NETZ=1 serves it on the
                          network, which needs the team mode with login)
    python dev.py test    set up, run ruff, mypy and the whole pytest suite
    python dev.py setup   only create .venv, install the project and the test servers
    python dev.py build   build a region (arguments go to `sozialraum build`)

Set-up means: create ``.venv`` with the running Python (3.11 or newer) if it is missing, install
the project with its development tools (with uv if it can be installed, else with pip) whenever
pyproject.toml changed, and check that the reference data is where it belongs. ``setup`` and
``test`` also install Debian's PostgreSQL/PostGIS for the team-mode tests when missing (Linux,
as root or with ``sudo -n``), ``test`` also Chromium for the browser tests. Only the standard
library is used here, because this script runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".sozialraum-installiert"
IS_WINDOWS = os.name == "nt"
DEMO_REGION = "aachen"


def say(text: str) -> None:
    print(f"[dev] {text}", flush=True)


def die(text: str, code: int = 2) -> None:
    print(f"[dev] FEHLER: {text}", file=sys.stderr, flush=True)
    sys.exit(code)


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if IS_WINDOWS else "bin/python")


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("PYTHONUTF8", "1")  # German umlauts on Windows consoles
    env.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")  # no network at run time
    return env


def run(command: list[object], check: bool = True) -> int:
    args = [str(c) for c in command]
    say("$ " + " ".join(args))
    code = subprocess.run(args, cwd=ROOT, env=child_env()).returncode
    if check and code != 0:
        die(f"Befehl fehlgeschlagen (Status {code}): {' '.join(args)}", code)
    return code


def ensure_venv() -> Path:
    python = venv_python()
    if not python.exists():
        say(f"lege virtuelle Umgebung an: {VENV}")
        venv.EnvBuilder(with_pip=True, clear=VENV.exists()).create(VENV)
    return python


#: Part of the installation stamp: bump it when the way of installing changes, so that every
#: existing .venv is installed again once (2: byte code compiled at installation).
INSTALL_FORMAT = b"install-format-2"

#: The project's own packages, compiled to byte code at every set-up (see compile_bytecode).
PROJECT_SOURCES = ("analyses", "layers", "planungsraeume", "cli", "ui", "app.py")


def install(python: Path) -> None:
    wanted = hashlib.sha256(
        (ROOT / "pyproject.toml").read_bytes() + sys.version.encode() + INSTALL_FORMAT
    ).hexdigest()
    if STAMP.exists() and STAMP.read_text(encoding="utf-8") == wanted:
        return
    say("installiere das Projekt mit Entwicklungswerkzeugen (einmalig nach jeder Änderung der pyproject.toml)")
    spec = ".[dev]"
    used_uv = (
        run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "uv"], check=False) == 0
        and run([python, "-m", "uv", "pip", "install", "--compile-bytecode", "--python", python,
                 "-e", spec], check=False) == 0
    )
    if not used_uv:
        say("uv nicht verfügbar: installiere mit pip")
        run([python, "-m", "pip", "install", "--disable-pip-version-check", "-e", spec])
    compile_kernels(python)
    STAMP.write_text(wanted, encoding="utf-8")


def compile_bytecode(python: Path) -> None:
    """Compile the project's modules to byte code (quick when nothing changed).

    Why: where PYTHONDONTWRITEBYTECODE is set (some CI images and managed desktops) Python never
    writes ``.pyc`` files and compiles every imported module again in every new process, which
    doubled the cold start of a location suggestion (7-10 s instead of 3-5 s at load 6) and of the
    app. The libraries are compiled once at installation (pip does that by default, uv with
    ``--compile-bytecode``); ``compileall`` writes the files whatever that variable says.
    """
    sources = [str(ROOT / name) for name in PROJECT_SOURCES if (ROOT / name).exists()]
    run([python, "-m", "compileall", "-q", "-j", "0", *sources], check=False)


def compile_kernels(python: Path) -> None:
    """Compile the numba kernels once per installation into numba's on-disk cache.

    Without this the first route search with a contraction hierarchy and the first hotspot
    analysis after an installation would each wait 10-25 s for the compiler.
    """
    say("übersetze die Rechenkerne einmalig (numba; danach aus dem Cache)")
    code = ("from analyses import hotspots; from analyses.network import contraction; "
            "print(f'  Wegenetz {contraction.warm_up():.1f} s, Hotspots {hotspots.warm_up():.1f} s')")
    if run([python, "-c", code], check=False) != 0:
        say("Hinweis: Übersetzung im Voraus nicht möglich; sie geschieht dann bei der ersten Analyse.")


def check_reference_data(python: Path) -> None:
    code = subprocess.run(
        [str(python), "-c", "from layers import sources; import sys; "
         "m = sources.missing_sources(); print(sources.instructions()) if m else None; "
         "sys.exit(1 if m else 0)"],
        cwd=ROOT, env=child_env(),
    ).returncode
    if code != 0:
        die("Referenzdaten fehlen (siehe oben). 'python dev.py build daten-laden' lädt, was eine "
            "feste öffentliche Adresse hat.")


STREAMLIT_INDEX_QUERY = (
    "import pathlib, streamlit; "
    "print(pathlib.Path(streamlit.__file__).parent / 'static' / 'index.html')"
)


def set_page_language(python: Path) -> None:
    """Make Streamlit serve ``<html lang="de">`` (it hard-codes "en"; WCAG 3.1.1).

    The app also sets the language with a small script at run time; this makes it right from
    the first byte, before any script runs (screen readers pick the language at load time).
    The file is replaced, not edited in place: uv may hard-link installed files to its cache.
    """
    result = subprocess.run([str(python), "-c", STREAMLIT_INDEX_QUERY], cwd=ROOT,
                            env=child_env(), capture_output=True, text=True)
    index = Path(result.stdout.strip()) if result.returncode == 0 else None
    if index is None or not index.is_file():
        say("Hinweis: Streamlits index.html nicht gefunden; Seitensprache wird nur per Skript gesetzt.")
        return
    text = index.read_text(encoding="utf-8")
    patched = text.replace('<html lang="en"', '<html lang="de"', 1)
    if patched == text:
        return
    tmp = index.with_name(index.name + ".sozialraum-tmp")
    tmp.write_text(patched, encoding="utf-8")
    os.replace(tmp, index)
    say("Seitensprache von Streamlit auf Deutsch gesetzt (index.html)")


CHROMIUM = Path("/usr/bin/chromium")


def ensure_browser() -> None:
    """Install Debian's Chromium for the browser tests where that is possible (Linux, root, apt).

    Elsewhere the browser tests skip with a reason, unless SOZIALRAUM_REQUIRE_BROWSER=1 (CI).
    """
    if not sys.platform.startswith("linux") or CHROMIUM.exists():
        return
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    if not (is_root and shutil.which("apt-get")):
        say("Hinweis: Chromium fehlt; die Browser-Tests werden übersprungen "
            "(als root mit apt-get installiert 'python dev.py test' es selbst).")
        return
    say("installiere Chromium für die Browser-Tests (apt-get)")
    env = dict(child_env(), DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "update"],
                    ["apt-get", "install", "-y", "--no-install-recommends", "chromium",
                     # Pango for WeasyPrint's tagged (PDF/UA) Steckbrief.
                     "libpango-1.0-0", "libpangoft2-1.0-0"]):
        say("$ " + " ".join(command))
        if subprocess.run(command, env=env).returncode != 0:
            say("Hinweis: Chromium konnte nicht installiert werden; Browser-Tests werden übersprungen "
                "(oder schlagen fehl, wenn SOZIALRAUM_REQUIRE_BROWSER=1).")
            return


#: Debian packages of the team-mode tests (a throwaway PostgreSQL/PostGIS server, and GDAL's
#: ``ogrinfo`` with the PostgreSQL driver, which pyogrio's wheel lacks); ``postgresql-postgis``
#: is the PostGIS of Debian's default PostgreSQL (15 on bookworm).
POSTGIS_PACKAGES = ("postgresql", "postgresql-postgis", "gdal-bin")


def postgis_installed() -> bool:
    """PostgreSQL's server programs, the PostGIS extension of the same version and ogrinfo."""
    if not shutil.which("ogrinfo"):
        return False
    for initdb in Path("/usr/lib/postgresql").glob("*/bin/initdb"):
        version = initdb.parent.parent.name
        if Path(f"/usr/share/postgresql/{version}/extension/postgis.control").exists():
            return True
    return False


def ensure_postgis() -> None:
    """Install PostgreSQL and PostGIS for the team-mode tests where possible (Linux, apt).

    As root directly, else with ``sudo -n`` (never asks for a password). Elsewhere the server
    tests skip with a reason, unless SOZIALRAUM_REQUIRE_POSTGIS=1 (CI), where they fail.
    """
    if not sys.platform.startswith("linux"):
        say("Hinweis: PostgreSQL/PostGIS wird nur unter Linux (Debian) installiert; die "
            "Server-Tests werden hier übersprungen.")
        return
    if postgis_installed():
        return
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    prefix = [] if is_root else ["sudo", "-n"]
    if not shutil.which("apt-get") or not (is_root or shutil.which("sudo")):
        say("Hinweis: PostgreSQL/PostGIS fehlt; die Server-Tests werden übersprungen (als root "
            "oder mit sudo installiert 'python dev.py test' es selbst: apt-get install "
            + " ".join(POSTGIS_PACKAGES) + ").")
        return
    say("installiere PostgreSQL und PostGIS für die Server-Tests (apt-get)")
    env = dict(child_env(), DEBIAN_FRONTEND="noninteractive")
    for command in ([*prefix, "apt-get", "update"],
                    [*prefix, "apt-get", "install", "-y", "--no-install-recommends",
                     *POSTGIS_PACKAGES]):
        say("$ " + " ".join(command))
        if subprocess.run(command, env=env).returncode != 0:
            say("Hinweis: PostgreSQL/PostGIS konnte nicht installiert werden; Server-Tests werden "
                "übersprungen (oder schlagen fehl, wenn SOZIALRAUM_REQUIRE_POSTGIS=1).")
            return


def setup() -> Path:
    python = ensure_venv()
    install(python)
    compile_bytecode(python)
    set_page_language(python)
    return python


LOCAL_ADDRESSES = {"localhost", "127.0.0.1", "::1", "[::1]"}
NETWORK_WARNING = (
    "WARNUNG: Die App ist im Netz erreichbar (alle Netzwerkschnittstellen) und hat keine "
    "Anmeldung: Jede Person, die diesen Rechner erreicht, kann alle Daten sehen und ändern. "
    "Für den Betrieb im Netz ist der Teammodus mit Anmeldung (PostGIS) nötig; bis dahin nur in "
    "einem vertrauenswürdigen Netz und nur vorübergehend verwenden."
)


def serve_arguments(extra: list[str]) -> tuple[list[str], list[str]]:
    """The address the app listens on, and the remaining arguments for Streamlit.

    By default only this computer can open the app (``localhost``, also the setting in
    ``.streamlit/config.toml``). ``--im-netz`` or ``SOZIALRAUM_IM_NETZ=1`` serve it on every
    interface, with a warning; so does an explicit ``--server.address`` that is not local.
    """
    rest = [a for a in extra if a != "--im-netz"]
    if "--server.address" in rest or any(a.startswith("--server.address=") for a in rest):
        address = ""
        for i, arg in enumerate(rest):
            if arg.startswith("--server.address="):
                address = arg.split("=", 1)[1]
            elif arg == "--server.address" and i + 1 < len(rest):
                address = rest[i + 1]
        if address not in LOCAL_ADDRESSES:
            print(f"[dev] {NETWORK_WARNING}", file=sys.stderr, flush=True)
        return [], rest
    if "--im-netz" in extra or os.environ.get("SOZIALRAUM_IM_NETZ") == "1":
        print(f"[dev] {NETWORK_WARNING}", file=sys.stderr, flush=True)
        return ["--server.address", "0.0.0.0"], rest
    return ["--server.address", "localhost"], rest


def cmd_setup(extra: list[str]) -> None:
    setup()
    ensure_postgis()


def cmd_app(extra: list[str]) -> None:
    address, rest = serve_arguments(extra)
    python = setup()
    check_reference_data(python)
    run([python, "-m", "cli", "build", "--region", DEMO_REGION])
    # ui.start prepares the first visit (imports, the demo's map data), then runs Streamlit
    run([python, "-m", "ui.start", "--browser.gatherUsageStats", "false", *address, *rest])


def cmd_test(extra: list[str]) -> None:
    python = setup()
    check_reference_data(python)
    ensure_browser()
    ensure_postgis()
    run([python, "-m", "ruff", "check", "."])
    run([python, "-m", "mypy"])
    run([python, "-m", "pytest", *extra])


def cmd_build(extra: list[str]) -> None:
    python = setup()
    if extra and extra[0] == "daten-laden":
        run([python, "-m", "cli", "daten-laden"])
        return
    check_reference_data(python)
    run([python, "-m", "cli", "build", *extra])


def main() -> None:
    commands = {"app": cmd_app, "test": cmd_test, "build": cmd_build,
                "setup": cmd_setup}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        sys.exit(2)
    if shutil.which("git") is None:
        say("Hinweis: git nicht gefunden (nur für Entwicklung nötig).")
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
