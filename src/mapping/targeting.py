"""The CSR shortlist: area of influence, priority and sensitivity together, and tables for people.

:func:`shortlist` runs :func:`mapping.influence.area_of_influence`, then
:func:`mapping.priority.priority_score` and :func:`mapping.priority.sensitivity` over the desa
of the area; :func:`summary_table`, :func:`method_table`, :func:`shortlist_headers` and
:func:`shortlist_formats` give what :func:`mapping.export.write_shortlist` writes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import pandas as pd
from shapely.geometry.base import BaseGeometry

from mapping.influence import (
    DEFAULT_RADIUS_KM,
    Site,
    area_of_influence,
    default_sites,
    parse_sites,
)
from mapping.labels import check_language, format_number
from mapping.priority import (
    DEFAULT_COMPONENTS,
    DEFAULT_DRAWS,
    DEFAULT_PERTURBATION,
    DEFAULT_TOP_N,
    HIGH_PERCENTILE,
    LOW_PERCENTILE,
    SEED,
    STABLE_SHARE,
    STAY_SHARE,
    UNSTABLE_BELOW,
    Component,
    Sensitivity,
    check_component_columns,
    priority_score,
    resolve_weights,
    sensitivity,
    weighted_components,
)
from mapping.regions import Region

# --- the shortlist ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Shortlist:
    """A ranked, explained shortlist of the desa of an area of influence, and how it was made.

    ``table`` (a GeoDataFrame, sorted by rank) holds one row per desa of the area of
    influence: :data:`ID_COLUMNS`, the raw component columns, ``<name>_norm``, ``score``,
    ``rank``, ``shortlisted`` (rank within the top N), the sensitivity columns, ``incomplete``
    and ``reason``.
    """

    table: gpd.GeoDataFrame
    sites: list[Site]
    components: tuple[Component, ...]
    weights: dict[str, float]
    sensitivity: Sensitivity
    radius_km: float | None
    kecamatan: tuple[str, ...]
    how: str
    n_desa: int
    language: str = "id"

    @property
    def top_n(self) -> int:
        """How many desa the shortlist holds."""
        return self.sensitivity.top_n


#: Identity and distance columns of a shortlist table, first.
ID_COLUMNS: tuple[str, ...] = ("code", "name", "kecamatan", "distance_km", "nearest_site")
#: Sensitivity columns of a shortlist table.
SENSITIVITY_COLUMNS: tuple[str, ...] = (
    "top_n_share", "rank_min", "rank_p05", "rank_p95", "rank_max"
)  # fmt: skip


def shortlist(
    desa: gpd.GeoDataFrame,
    sites: Sequence[Site | str] | None = None,
    *,
    radius_km: float | None = None,
    kecamatan: Sequence[str] | None = None,
    how: Literal["union", "intersection"] = "union",
    components: Sequence[Component] = DEFAULT_COMPONENTS,
    weights: Mapping[str, float] | str | None = None,
    top_n: int = DEFAULT_TOP_N,
    perturbation: float = DEFAULT_PERTURBATION,
    draws: int = DEFAULT_DRAWS,
    seed: int = SEED,
    regency: BaseGeometry | None = None,
    language: str = "id",
    region: Region | None = None,
) -> Shortlist:
    """Rank the desa of the area of influence of `sites` and test the ranking's stability.

    :func:`area_of_influence` -> :func:`priority_score` over the desa in the area (so the
    normalisation is relative to them) -> :func:`sensitivity`. `desa` must hold the columns of
    the weighted `components` (the caller computes need, gap, distance, capacity). Without
    `sites`, the default sites of `region` (:func:`default_sites`: for Tapanuli Utara, the
    default region, the Sarulla stand-in sites).

    Example (``desa`` holding ``need``, ``gap``, ``access_km`` and ``capacity``)::

        sl = shortlist(desa, ["Kantor=1.84,99.09"], radius_km=15, weights="need=0.5,gap=0.5")
        sl.table[["code", "name", "score", "rank", "top_n_share", "reason"]]
        sl.sensitivity.message  # is the top 10 stable under +-20% weight changes?
    """
    lang = check_language(language)
    site_list = (
        parse_sites(sites)
        if sites is not None
        else default_sites(desa, language=lang, region=region)
    )
    kec = [kecamatan] if isinstance(kecamatan, str) else list(kecamatan or [])
    w = resolve_weights(weights, components)  # weight errors before any geometry work
    check_component_columns(desa, weighted_components(components, w))
    area = area_of_influence(
        desa, site_list, radius_km=radius_km, kecamatan=kec or None, how=how, regency=regency,
        region=region,
    )  # fmt: skip
    cand = area[area["in_area"]].drop(columns="in_area")
    scored = priority_score(cand, components=components, weights=w, language=lang)
    sens = sensitivity(
        cand,
        components=components,
        weights=w,
        top_n=top_n,
        perturbation=perturbation,
        draws=draws,
        seed=seed,
        language=lang,
    )
    scored = scored.join(sens.table)
    scored["shortlisted"] = (scored["rank"] <= sens.top_n).fillna(False).astype(bool)
    present = [c for c in components if c.column in scored.columns]
    cols = [
        *[c for c in ID_COLUMNS if c in scored.columns],
        *dict.fromkeys(c.column for c in present),
        *[f"{c.name}_norm" for c in present if f"{c.name}_norm" in scored.columns],
        "score", "rank", "shortlisted", *SENSITIVITY_COLUMNS, "incomplete", "reason",
    ]  # fmt: skip
    rest = [c for c in scored.columns if c not in cols and c != scored.geometry.name]
    table = scored[[*cols, *rest, scored.geometry.name]]
    table = table.sort_values(["rank", "code"], na_position="last").reset_index(drop=True)
    radius = DEFAULT_RADIUS_KM if radius_km is None and not kec else radius_km
    return Shortlist(
        table=table,
        sites=site_list,
        components=tuple(components),
        weights=w,
        sensitivity=sens,
        radius_km=radius,
        kecamatan=tuple(kec),
        how=how,
        n_desa=len(desa),
        language=lang,
    )


# --- tables for people ------------------------------------------------------------------------

_HEADERS: dict[str, tuple[str, str]] = {
    "code": ("Kode desa", "Village code"),
    "name": ("Desa/kelurahan", "Village"),
    "kecamatan": ("Kecamatan", "District (kecamatan)"),
    "kind": ("Jenis", "Kind"),
    "kecamatan_code": ("Kode kecamatan", "District code"),
    "bps_code": ("Kode BPS", "BPS code"),
    "area_km2": ("Luas (km²)", "Area (km²)"),
    "distance_km": ("Jarak ke lokasi terdekat (km)", "Distance to the nearest site (km)"),
    "nearest_site": ("Lokasi terdekat", "Nearest site"),
    "score": ("Skor prioritas (0-1)", "Priority score (0-1)"),
    "rank": ("Peringkat", "Rank"),
    "shortlisted": ("Masuk daftar pendek", "Shortlisted"),
    "top_n_share": ("Tetap di {n} teratas (% simulasi)", "In the top {n} (% of draws)"),
    "rank_min": ("Peringkat terbaik", "Best rank"),
    "rank_p05": ("Peringkat persentil 5", "Rank, 5th percentile"),
    "rank_p95": ("Peringkat persentil 95", "Rank, 95th percentile"),
    "rank_max": ("Peringkat terburuk", "Worst rank"),
    "incomplete": ("Data tidak lengkap", "Incomplete data"),
    "reason": ("Alasan", "Reason"),
    "item": ("Butir", "Item"),
    "value": ("Keterangan", "Value"),
    "topic": ("Topik", "Topic"),
    "explanation": ("Penjelasan", "Explanation"),
}


def _t(id_text: str, en_text: str, language: str) -> str:
    return en_text if language == "en" else id_text


def shortlist_headers(sl: Shortlist) -> dict[str, str]:
    """Column -> header label in the shortlist's language (components by their labels)."""
    lang = sl.language
    i = 1 if lang == "en" else 0
    heads = {k: v[i].format(n=sl.top_n) for k, v in _HEADERS.items()}
    for c in sl.components:
        heads[c.column] = c.label(lang)
        heads[f"{c.name}_norm"] = c.label(lang) + _t(
            " (dinormalkan 0-1)", " (normalised 0-1)", lang
        )
    return heads


def shortlist_formats(sl: Shortlist) -> dict[str, str]:
    """Column -> Excel number format of the shortlist table."""
    formats = {
        "distance_km": "0.0",
        "area_km2": "0.00",
        "score": "0.000",
        "rank": "0",
        "top_n_share": "0%",
        **{c: "0" for c in SENSITIVITY_COLUMNS if c != "top_n_share"},
    }
    for c in sl.components:
        formats[c.column] = "#,##0" if c.decimals == 0 else "#,##0." + "0" * c.decimals
        formats[f"{c.name}_norm"] = "0.00"
    return formats


def _weights_text(sl: Shortlist) -> str:
    lang = sl.language
    return "; ".join(
        f"{c.label(lang)} {format_number(sl.weights[c.name], decimals=2, language=lang)}"
        for c in sl.components
    )


def _area_text(sl: Shortlist) -> str:
    lang = sl.language
    parts = []
    if sl.radius_km is not None:
        r = format_number(sl.radius_km, decimals=1, language=lang)
        parts.append(_t(f"desa dalam {r} km dari lokasi", f"desa within {r} km of a site", lang))
    if sl.kecamatan:
        parts.append(_t("kecamatan ", "kecamatan ", lang) + ", ".join(sl.kecamatan))
    joiner = _t(" atau ", " or ", lang) if sl.how == "union" else _t(" dan di ", " and in ", lang)
    return joiner.join(parts)


def summary_table(sl: Shortlist) -> pd.DataFrame:
    """The summary sheet: what was asked, how stable the answer is, and the top N desa."""
    lang = sl.language
    t = sl.table
    rows: list[tuple[str, str]] = [
        (_t("Judul", "Title", lang), _t("Daftar pendek desa sasaran CSR",
                                         "Shortlist of desa for CSR targeting", lang)),
    ]  # fmt: skip
    for s in sl.sites:
        note = f" ({s.note})" if s.note else ""
        rows.append((_t("Lokasi", "Site", lang), f"{s.name}: {s.lat:.5f}, {s.lon:.5f}{note}"))
    if any(s.stand_in for s in sl.sites):
        rows.append(
            (
                _t("Catatan lokasi", "Note on sites", lang),
                _t(
                    "Titik lokasi adalah lokasi pengganti, bukan lokasi pembangkit: koordinat "
                    "resmi tidak tersedia. Jarak dan wilayah pengaruh hanya perkiraan.",
                    "The site points are stand-ins, not the plant sites: no official "
                    "coordinates exist. Distances and the area of influence are approximate.",
                    lang,
                ),
            )
        )
    n_in = len(t)
    rows += [
        (_t("Wilayah pengaruh", "Area of influence", lang), _area_text(sl)),
        (
            _t("Desa di wilayah pengaruh", "Desa in the area of influence", lang),
            _t(f"{n_in} dari {sl.n_desa}", f"{n_in} of {sl.n_desa}", lang),
        ),
        (_t("Bobot", "Weights", lang), _weights_text(sl)),
        (_t("Daftar pendek", "Shortlist", lang),
         _t(f"{sl.top_n} desa teratas", f"the top {sl.top_n} desa", lang)),
        (_t("Stabilitas", "Stability", lang), sl.sensitivity.message),
    ]  # fmt: skip
    incomplete = int(t["incomplete"].sum())
    if incomplete:
        rows.append(
            (
                _t("Data tidak lengkap", "Incomplete data", lang),
                _t(
                    f"{incomplete} desa tanpa sebagian data; skornya dari komponen lain",
                    f"{incomplete} desa lack some data; scored on the other components",
                    lang,
                ),
            )
        )
    for _, r in t[t["shortlisted"]].iterrows():
        score = format_number(r["score"], decimals=3, language=lang)
        rows.append(
            (
                _t(f"Peringkat {r['rank']}", f"Rank {r['rank']}", lang),
                f"{r['name']} ({r['kecamatan']}), {_t('skor', 'score', lang)} {score}: "
                f"{r['reason']}",
            )
        )
    return pd.DataFrame(rows, columns=["item", "value"])


def method_table(sl: Shortlist) -> pd.DataFrame:
    """The method sheet: the area of influence, components, weights, score and sensitivity."""
    lang = sl.language
    sens = sl.sensitivity
    pct = f"{sens.perturbation * 100:g}"
    low = format_number(1 - sens.perturbation, decimals=2, language=lang)
    high = format_number(1 + sens.perturbation, decimals=2, language=lang)
    rows: list[tuple[str, str]] = [
        (
            _t("Wilayah pengaruh", "Area of influence", lang),
            _t(
                f"{_area_text(sl)}. Jarak dari lokasi ke desa adalah jarak ke batas poligon "
                "desa (0 bila lokasi di dalam desa), garis lurus, diukur dalam UTM zona 47N.",
                f"{_area_text(sl)}. The distance from a site to a desa is the straight-line "
                "distance to the desa polygon (0 when the site is inside), measured in UTM "
                "zone 47N.",
                lang,
            ),
        )
    ]
    for c in sl.components:
        direction = (
            _t("makin tinggi makin prioritas", "higher means more priority", lang)
            if c.higher_is == "worse"
            else _t("makin rendah makin prioritas", "lower means more priority", lang)
        )
        w = format_number(sl.weights[c.name], decimals=2, language=lang)
        rows.append(
            (
                _t("Komponen: ", "Component: ", lang) + c.label(lang),
                _t(
                    f"kolom '{c.column}' (bobot '{c.name}'); {direction}; bobot {w}",
                    f"column '{c.column}' (weight '{c.name}'); {direction}; weight {w}",
                    lang,
                ),
            )
        )
    rows += [
        (
            _t("Normalisasi", "Normalisation", lang),
            _t(
                "Setiap komponen diskalakan min-maks ke 0-1 atas desa di wilayah pengaruh: "
                "(x - min) / (maks - min), dibalik (maks - x) / (maks - min) bila nilai rendah "
                "lebih prioritas; 1 = paling prioritas. Komponen yang sama untuk semua desa "
                "bernilai 0,5.",
                "Each component is min-max scaled to 0-1 over the desa of the area of "
                "influence: (x - min) / (max - min), reversed (max - x) / (max - min) when a "
                "low value means more priority; 1 = most priority. A component equal for "
                "every desa gets 0.5.",
                lang,
            ),
        ),
        (
            _t("Skor dan peringkat", "Score and rank", lang),
            _t(
                "Skor = jumlah bobot x komponen dinormalkan; bobot dinormalkan agar berjumlah "
                "1, jadi skor 0-1. Peringkat 1 = skor tertinggi; skor sama berbagi peringkat.",
                "Score = sum of weight x normalised component; weights re-normalised to sum "
                "to 1, so the score is 0-1. Rank 1 = highest score; equal scores share a rank.",
                lang,
            ),
        ),
        (
            _t("Data tidak ada", "Missing data", lang),
            _t(
                "Desa tanpa data sebuah komponen tidak diberi nilai 0: skornya dihitung dari "
                "komponen lain (bobotnya dinormalkan ulang), ditandai 'data tidak lengkap' dan "
                "alasannya menyebut data yang tidak ada.",
                "A desa missing a component is never given 0: it is scored on the other "
                "components (their weights re-normalised), flagged 'incomplete data' and its "
                "reason names the missing data.",
                lang,
            ),
        ),
        (
            _t("Alasan", "Reason", lang),
            _t(
                "Komponen diurutkan dari sumbangan terbesar ke skor. Persentil = persen desa "
                "di wilayah pengaruh dengan nilai lebih rendah (ditambah separuh yang sama); "
                f"tinggi = persentil {HIGH_PERCENTILE} ke atas, rendah = {LOW_PERCENTILE} ke "
                "bawah.",
                "Components are listed from the largest contribution to the score. "
                "Percentile = percent of the desa of the area with a lower value (plus half "
                f"those equal); high = percentile {HIGH_PERCENTILE} or more, low = "
                f"{LOW_PERCENTILE} or less.",
                lang,
            ),
        ),
        (
            _t("Sensitivitas", "Sensitivity", lang),
            _t(
                f"{format_number(sens.draws, language=lang)} simulasi Monte Carlo (seed "
                f"{sens.seed}): setiap bobot dikali bilangan acak seragam antara "
                f"{low} dan {high} (±{pct}%), lalu "
                f"dinormalkan ulang. 'Tetap di {sens.top_n} teratas' = persen simulasi saat "
                f"desa masuk {sens.top_n} teratas. Daftar stabil bila sedikitnya "
                f"{STABLE_SHARE:.0%} desanya tetap di {sens.top_n} teratas pada sedikitnya "
                f"{STAY_SHARE:.0%} simulasi; tidak stabil bila kurang dari "
                f"{UNSTABLE_BELOW:.0%}.",
                f"{format_number(sens.draws, language=lang)} Monte Carlo draws (seed "
                f"{sens.seed}): each weight times a uniform random number between "
                f"{low} and {high} (±{pct}%), then "
                f"re-normalised. 'In the top {sens.top_n}' = percent of draws in which the desa "
                f"is in the top {sens.top_n}. The list is stable when at least "
                f"{STABLE_SHARE:.0%} of its desa stay in the top {sens.top_n} in at least "
                f"{STAY_SHARE:.0%} of draws; unstable below {UNSTABLE_BELOW:.0%}.",
                lang,
            ),
        ),
        (_t("Hasil sensitivitas", "Sensitivity result", lang), sens.message),
    ]
    return pd.DataFrame(rows, columns=["topic", "explanation"])
