"""Where the Steckbrief's figures come from: the region and its questions, nothing else.

Every figure of a Steckbrief is taken from the same function a page or a command shows it from:
key figures from :func:`planungsraeume.indikatoren.indicators`, reachability from
:func:`planungsraeume.erreichbarkeit.coverage` for a :class:`~planungsraeume.frage.Question`,
barrier figures from :func:`planungsraeume.barrieren.area_summaries` of the one privacy gate, the
offers from :meth:`planungsraeume.region.Region.offers` (active on the day, with their area).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd

from layers.errors import AnalysisError
from layers.formatting import de_number
from layers.progress import ProgressCallback, Steps
from layers.sicher import path_inside
from planungsraeume.frage import Question, profile_labels
from planungsraeume.region import OUTSIDE_ID, Region
from planungsraeume.steckbrief import (
    DEFAULT_COVERAGE,
    REPORT_INDICATORS,
    BarrierSummary,
    CoverageChoice,
    ReportContext,
    ReportInputs,
    _addresses,
    _index_html,
    _part,
    advice_types_present,
    build_area_report,
    coverage_from_area_table,
    file_stem,
    indicators_from_long_table,
    report_html,
)
from planungsraeume.steckbrief.karte import MapLayers, type_styles
from planungsraeume.steckbrief.pdfua import write_report_pdf_ua

__all__ = [
    "DATA_KINDS",
    "area_files",
    "coverage_questions",
    "data_kind_line",
    "load_report_context",
    "report_barriers",
    "report_coverage",
    "report_indicators",
    "report_inputs",
    "report_trend",
    "reports_zip",
    "write_reports",
]


def report_indicators(
    region: Region, keys: Sequence[str] = REPORT_INDICATORS, *, stichtag: date | None = None
) -> pd.DataFrame:
    """The key figures of the report from the indicator module (``indicators`` format).

    Parameters
    ----------
    region
        The region.
    keys
        Indicator keys of :func:`planungsraeume.indikatoren.compute_indicators` to show; own
        indicators (``eigen_*``) are always appended.
    stichtag
        Day for which offers count as active (default today).
    """
    from planungsraeume.indikatoren import indicators

    long = indicators(region, stichtag=stichtag)
    own = [str(k) for k in dict.fromkeys(long["kennzahl"]) if str(k).startswith("eigen_")]
    return indicators_from_long_table(long, keys=[*keys, *own])


def coverage_questions(region: Region, choice: CoverageChoice) -> list[Question]:
    """The questions of the reachability section: every type × profile of the choice."""
    if not region.has_population() or not region.has_network():
        return []
    offers = region.offers()
    present = set(offers["typ"].dropna().astype(str))
    types = [t for t in (choice.typen or advice_types_present(offers)) if t in present]
    return [Question.make(typ=typ, profil=profil, minuten=choice.minuten, unbekannt=choice.unbekannt)
            for typ in types for profil in choice.profile]


def report_coverage(
    region: Region,
    choice: CoverageChoice = DEFAULT_COVERAGE,
    *,
    progress: ProgressCallback | None = None,
) -> pd.DataFrame | None:
    """Coverage per planning area, service type and profile on the network (``coverage`` format).

    Runs :func:`planungsraeume.erreichbarkeit.coverage` (the one cache) for every question of
    :func:`coverage_questions`.

    Returns
    -------
    pandas.DataFrame or None
        None if the region has no population or network, or no offer of the types.
    """
    from planungsraeume import erreichbarkeit

    questions = coverage_questions(region, choice)
    if not questions:
        return None
    labels = profile_labels()
    frames = []
    with Steps(len(questions), "Erreichbarkeit", progress) as steps:
        for question in questions:
            steps.step(f"{question.typ}, {labels.get(question.profil, question.profil)}")
            table = erreichbarkeit.coverage(region, question)
            frames.append(coverage_from_area_table(table, typ=str(question.typ)))
            steps.advance()
    return pd.concat(frames, ignore_index=True)


def report_barriers(
    region: Region,
    *,
    barrier_filter: object | None = None,
    rule: object | None = None,
) -> BarrierSummary | None:
    """The barrier section from the privacy module's publication (never from the raw layer).

    Every figure comes from :func:`planungsraeume.barrieren.area_summaries`, i.e. from the one
    gate :func:`analyses.privacy.publish` with the public rule unless another is given.

    Returns
    -------
    BarrierSummary or None
        None if the region has no barrier layer.
    """
    from analyses.privacy import MISSING_LABEL
    from planungsraeume.barrieren import area_summaries, publication

    if not region.has_layer("barrieren"):
        return None
    pub = publication(region, barrier_filter=barrier_filter,  # type: ignore[arg-type]
                      rule=rule)  # type: ignore[arg-type]
    rows: list[tuple[str, str, str]] = []
    for area in area_summaries(region, pub, top=3):
        rows.extend(_barrier_rows(area, MISSING_LABEL))
    from analyses.privacy.texts import garantie

    # The guarantee sentence is the one of the Hilfe and Barrieren pages (one text, one place).
    rule_text = (
        f"Cell-Key-Methode wie beim Zensus 2022. {garantie(pub.rule)} „{MISSING_LABEL}“ heißt: "
        f"keine oder zu wenige Personen. Meldungen werden nie als Punkte gezeigt. "
        f"Regel: {pub.rule.kennzeichnung}."
    )
    return BarrierSummary(
        tabelle=pd.DataFrame.from_records(rows, columns=["pr_id", "merkmal", "wert"]),
        regel=rule_text,
    )


def _barrier_rows(area: object, missing: str) -> list[tuple[str, str, str]]:
    """The Steckbrief rows of one area's protected barrier summary."""
    from planungsraeume.barrieren import AreaBarrierSummary

    assert isinstance(area, AreaBarrierSummary)
    rows = [(area.pr_id, "Ausgewertet", area.filter)]
    if not area.veroeffentlicht:
        rows.append((area.pr_id, "Personen mit Meldungen",
                     f"{missing} (zu wenige Personen oder Schutz vor Zurückrechnen)"))
        return rows
    rows.append((area.pr_id, "Personen mit Meldungen (gerundet)",
                 f"{de_number(area.personen)} Personen, {de_number(area.meldungen)} Meldungen"))
    if area.rate_je_1000 is not None:
        smoothed = (f" (geglättet nach empirischem Bayes: {de_number(area.rate_eb_je_1000, 1)})"
                    if area.rate_eb_je_1000 is not None else "")
        rows.append((area.pr_id, "Personen mit Meldungen je 1.000 Einwohner",
                     de_number(area.rate_je_1000, 1) + smoothed))
    for code in area.top_codes.itertuples(index=False):
        rows.append((area.pr_id, f"Umweltfaktor Rang {code.rang}",
                     f"{code.icf_code} {code.icf_titel} ({de_number(code.personen)} Personen)"))
    trend = area.trend.dropna(subset=["jahr", "personen"])
    years = [f"{int(jahr)}: {de_number(personen)}"
             for jahr, personen in zip(trend["jahr"], trend["personen"], strict=True)]
    if years:
        rows.append((area.pr_id, "Personen nach Jahr", "; ".join(years)))
    return rows


def report_inputs(
    region: Region,
    *,
    coverage_choice: CoverageChoice = DEFAULT_COVERAGE,
    progress: ProgressCallback | None = None,
    vergleichsregion: Region | None = None,
) -> ReportInputs:
    """Indicators, network coverage, the protected barrier summary and the trends of a region,
    and (optional) the region beside ``vergleichsregion``."""
    from planungsraeume.steckbrief.entwicklung import report_region_comparison, report_trends

    return ReportInputs(
        indicators=report_indicators(region),
        coverage=report_coverage(region, coverage_choice, progress=progress),
        barriers=report_barriers(region),
        trend=report_trend(region),
        trends=report_trends(region),
        vergleich=report_region_comparison(region, vergleichsregion),
    )


def report_trend(region: Region, kennzahl: str = "anteil_65_plus") -> pd.DataFrame | None:
    """The trend of the report (:func:`planungsraeume.zeitreihe.trend`), or ``None`` where the
    region has figures for one year only or lacks the indicator."""
    from planungsraeume.zeitreihe import trend, trend_years

    if len(trend_years(region)) < 2:
        return None
    try:
        return trend(region, kennzahl)
    except AnalysisError:
        return None


def load_report_context(region: Region) -> ReportContext:
    """The layers the reports need (read once per region): areas, streets, basemap, offers."""
    meta = region.meta()
    services = region.offers().copy()
    addresses = region.layer("adressen")
    services["pr_id"] = services["pr_id"].astype(str) if len(services) else []
    services["adresse_text"] = _addresses(services, addresses)
    source = meta.get("bevoelkerung_quelle", "")
    year = meta.get("bevoelkerung_jahr", "")
    note = (
        "Bevölkerung modelliert aus OSM-Gebäuden (keine amtlichen Werte)."
        if source == "modelliert"
        else "Bevölkerung: Zensus 2022 (100-m-Gitter)."
        if source.startswith("Zensus")
        else f"Bevölkerung amtlich je Planungsraum, Stand {year}: {source}."
        if source and source != "keine"
        else ""
    )
    from planungsraeume.abgleich import comparison_note, municipal_comparison

    official = comparison_note(municipal_comparison(region))
    if official:
        note = f"{note} Abgleich mit den amtlichen Gemeindesummen (VG250-EW): {official}".strip()
    streets = (region.layer("netz_kanten", ("highway",)) if region.has_network()
               else gpd.GeoDataFrame({"highway": []}, geometry=[], crs=region.crs))
    layers = MapLayers(areas=region.areas(), streets=streets, basemap=region.layer("grundkarte"),
                       services=services)
    return ReportContext(
        region_title=str(meta.get("titel") or region.titel),
        population_note=note,
        layers=layers,
        services=services,
        styles=type_styles(sorted(set(services["typ"].dropna().astype(str)))),
        stand=date.today().strftime("%d.%m.%Y"),
        datenlage=data_kind_line(region),
    )


#: Layer, value of its ``quelle`` column, and the German words of the data-kind line.
DATA_KINDS = (
    ("planungsraeume", "generiert", "Planungsräume generiert (keine amtliche Gliederung)"),
    ("bevoelkerung", "modelliert", "Bevölkerung modelliert (keine amtlichen Werte)"),
    ("angebote", "synthetisch", "Angebote mit „(fiktiv)“ erfunden (synthetisch)"),
    ("barrieren", "synthetisch", "Barrieremeldungen erfunden (synthetisch)"),
)


def data_kind_line(region: Region) -> str:
    """"Datenlage: …" naming every generated, modelled or synthetic kind of data, "" for none.

    Read from the ``quelle`` column of the layers (the data carry their kind).
    """
    parts = []
    for layer_name, kind, words in DATA_KINDS:
        if not region.has_layer(layer_name):
            continue
        values = region.layer(layer_name, ("quelle",))["quelle"].astype(str)
        if values.str.contains(kind).any():
            parts.append(words)
    return ("Datenlage: " + "; ".join(parts) + ".") if parts else ""


def write_reports(
    region: Region,
    out_dir: str | Path,
    *,
    inputs: ReportInputs | None = None,
    pr_ids: Sequence[str] | None = None,
    formats: Sequence[str] = ("pdf", "html"),
    progress: ProgressCallback | None = None,
    coverage_choice: CoverageChoice = DEFAULT_COVERAGE,
    vergleichsregion: Region | None = None,
) -> list[Path]:
    """Write the Steckbrief of every (or the chosen) planning area, plus an ``index.html``.

    Parameters
    ----------
    region
        The region.
    out_dir
        Output directory (created). File names are made from the area's number and name and
        always stay inside it.
    inputs
        The figures (default: :func:`report_inputs` for ``coverage_choice``).
    pr_ids
        Only these areas (default: all).
    formats
        ``"pdf"`` and/or ``"html"``.
    progress
        Callback ``(fraction, label)`` for the app; a tqdm bar on the terminal without it.
    vergleichsregion
        A second region whose values stand beside the area's and its region's (optional;
        only used without ``inputs``).

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    bad = [f for f in formats if f not in ("pdf", "html")]
    if bad or not formats:
        raise AnalysisError(f"Unbekanntes Ausgabeformat: {', '.join(bad) or '(keines)'}.",
                            hinweis="Erlaubt sind pdf und html.")
    from planungsraeume.steckbrief.entwicklung import extend_report

    context = load_report_context(region)
    wanted = _wanted_areas(region, pr_ids)
    if inputs is None:
        inputs = report_inputs(region, coverage_choice=coverage_choice,
                               progress=_part(progress, 0.0, 0.3),
                               vergleichsregion=vergleichsregion)
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    entries: list[tuple[str, str, str]] = []
    names = region.area_names()
    with Steps(len(wanted), "Steckbriefe", _part(progress, 0.3, 1.0)) as steps:
        for pr_id in wanted:
            steps.step(names[pr_id])
            report = extend_report(build_area_report(
                context, pr_id, inputs.indicators, coverage=inputs.coverage,
                barriers=inputs.barriers, trend=inputs.trend), inputs)
            stem = _unique(file_stem(pr_id, report.name), {e[2] for e in entries})
            if "pdf" in formats:
                written.append(write_report_pdf_ua(report, path_inside(target, f"{stem}.pdf")))
            if "html" in formats:
                page = path_inside(target, f"{stem}.html")
                page.write_text(report_html(report), encoding="utf-8")
                written.append(page)
            entries.append((pr_id, report.name, stem))
            steps.advance()
    index = target / "index.html"
    index.write_text(_index_html(context.region_title, entries, formats), encoding="utf-8")
    written.append(index)
    return written


def _unique(stem: str, used: set[str]) -> str:
    """``stem``, or ``stem-2``, ``stem-3`` … if two areas' numbers and names give the same name."""
    candidate, number = stem, 1
    while candidate.lower() in {u.lower() for u in used} or candidate.lower() == "index":
        number += 1
        candidate = f"{stem}-{number}"
    return candidate


def _wanted_areas(region: Region, pr_ids: Sequence[str] | None) -> list[str]:
    """The areas asked for, each checked to exist (German error naming the unknown ones)."""
    known = [p for p in region.area_names() if p != OUTSIDE_ID]
    wanted = [str(p) for p in (pr_ids if pr_ids else known)]
    unknown = [p for p in wanted if p not in known]
    if unknown:
        raise AnalysisError(f"Unbekannte Planungsräume: {', '.join(unknown)}.",
                            hinweis=f"Vorhanden sind: {', '.join(sorted(known))}.")
    return wanted


def area_files(context: ReportContext, inputs: ReportInputs, pr_id: str,
               formats: Sequence[str] = ("pdf",)) -> dict[str, tuple[str, bytes]]:
    """One area's Steckbrief in memory: ``{".pdf": (file name, bytes), ".html": …}``.

    For the app's one-click download: ``context`` (:func:`load_report_context`) and ``inputs``
    (:func:`report_inputs`) are read once per region and question and kept by the caller; a
    click only builds the area's report (its map) and sets the asked format.
    """
    import tempfile

    from planungsraeume.steckbrief.entwicklung import extend_report

    report = extend_report(build_area_report(
        context, pr_id, inputs.indicators, coverage=inputs.coverage, barriers=inputs.barriers,
        trend=inputs.trend), inputs)
    stem = file_stem(pr_id, report.name)
    files: dict[str, tuple[str, bytes]] = {}
    if "pdf" in formats:
        with tempfile.TemporaryDirectory(prefix="sozialraum-steckbrief-") as folder:
            path = write_report_pdf_ua(report, path_inside(folder, f"{stem}.pdf"))
            files[".pdf"] = (path.name, path.read_bytes())
    if "html" in formats:
        files[".html"] = (f"{stem}.html", report_html(report).encode("utf-8"))
    return files


def reports_zip(region: Region, inputs: ReportInputs, *, formats: Sequence[str] = ("pdf", "html"),
                progress: ProgressCallback | None = None) -> bytes:
    """Every area's Steckbrief and the ``index.html`` as one ZIP archive in memory.

    The files are those of :func:`write_reports` (same names, same content) for ``inputs``,
    which the app keeps per store version and question; ``progress`` as there.
    """
    import io
    import tempfile
    import zipfile

    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="sozialraum-steckbriefe-") as folder:
        written = write_reports(region, folder, inputs=inputs, formats=formats, progress=progress)
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(written, key=lambda p: (p.name != "index.html", p.name)):
                archive.write(path, arcname=path.name)
    return buffer.getvalue()
