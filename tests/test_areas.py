"""Tables of areas: checks that name the rows, reading, and the fetch with a checksum."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from mapping.areas import AREA_COLUMNS, fetch_areas, read_areas, validate_areas
from mapping.errors import ChecksumError, DataSourceError, InputError, ValidationFailed
from mapping.gazetteer import Gazetteer
from mapping.settings import Settings

TABLE = pd.DataFrame(
    {
        "code": ["32.01.01.2001", "32.01.01.2002", "32.01.02.2001"],
        "name": ["Sukamaju", "Cibeber", "Sukamaju"],
        "parent_code": ["32.01.01", "32.01.01", "32.01.02"],
        "parent": ["Cibinong", "Cibinong", "Gunung Putri"],
        "aliases": ["Soekamadjoe", "", None],
    }
)


def test_a_good_table_is_made_canonical() -> None:
    rows = validate_areas(TABLE)
    assert list(rows.columns) == AREA_COLUMNS
    assert list(rows["aliases"]) == [("Soekamadjoe",), (), ()]
    assert validate_areas(TABLE.drop(columns="aliases"))["aliases"].tolist() == [(), (), ()]


def test_missing_columns_are_all_named() -> None:
    with pytest.raises(ValidationFailed, match=r"column 'parent_code' not found") as info:
        validate_areas(TABLE.drop(columns=["parent_code", "parent"]), source="kode.csv")
    assert [p.column for p in info.value.problems] == ["parent_code", "parent"]
    assert "in kode.csv" in str(info.value)


def test_duplicate_codes_name_both_rows() -> None:
    table = pd.concat([TABLE, TABLE.iloc[[0]]], ignore_index=True)
    with pytest.raises(
        ValidationFailed,
        match=r"row 4, column 'code': code 32.01.01.2001 appears twice, first"
        r" in row 1",
    ):
        validate_areas(table, source="kode.csv")


def test_blank_cells_and_parent_conflicts_are_listed_together() -> None:
    table = TABLE.copy()
    table.loc[1, "name"] = "  "
    table.loc[2, "parent_code"] = "32.01.01"  # now named both Cibinong and Gunung Putri
    with pytest.raises(ValidationFailed, match="2 problem") as info:
        validate_areas(table)
    kinds = {(p.kind, p.row) for p in info.value.problems}
    assert kinds == {("blank", 2), ("parent-conflict", 3)}
    assert "named 'Gunung Putri' here but 'Cibinong' in row 1" in str(info.value)


def test_read_areas_keeps_codes_as_text(tmp_path: Path) -> None:
    path = tmp_path / "kode.csv"
    TABLE.to_csv(path, index=False)
    assert read_areas(path)["code"].tolist() == TABLE["code"].tolist()
    with pytest.raises(InputError, match="not found"):
        read_areas(tmp_path / "nothing.csv")


@pytest.fixture
def offline(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", mirror=None, use_network=False)


def _published(tmp_path: Path) -> tuple[Path, str]:
    source = tmp_path / "published" / "kode-wilayah.csv"
    source.parent.mkdir()
    TABLE.to_csv(source, index=False)
    return source, hashlib.sha256(source.read_bytes()).hexdigest()


def test_fetch_copies_a_local_url_and_then_uses_the_cache(
    tmp_path: Path, offline: Settings
) -> None:
    source, sha = _published(tmp_path)
    got = fetch_areas(source.as_uri(), sha256=sha, settings=offline)
    assert got == offline.data_dir / "areas" / "kode-wilayah.csv"
    assert got.read_bytes() == source.read_bytes()
    source.unlink()  # the verified copy is used from now on
    assert fetch_areas(source.as_uri(), sha256=sha, settings=offline) == got
    table = read_areas(got)
    assert table["name"].tolist() == ["Sukamaju", "Cibeber", "Sukamaju"]
    gz = Gazetteer.from_table(table, region="Bogor")  # a checked table can be given again
    assert gz.match_one("Soekamadjoe").code == "32.01.01.2001"


def test_fetch_refuses_a_file_with_another_checksum(tmp_path: Path, offline: Settings) -> None:
    source, sha = _published(tmp_path)
    with pytest.raises(ChecksumError, match="Checksum mismatch"):
        fetch_areas(source.as_uri(), sha256="0" * 64, settings=offline)
    # a cached copy that no longer matches is fetched again, and refused if it changed
    fetch_areas(source.as_uri(), sha256=sha, settings=offline)
    source.write_text("code,name\n", encoding="utf-8")
    with pytest.raises(ChecksumError):
        fetch_areas(source.as_uri(), sha256=hashlib.sha256(b"x").hexdigest(), settings=offline)


def test_fetch_offline_without_a_copy_says_what_to_do(offline: Settings) -> None:
    with pytest.raises(DataSourceError, match="network use is off"):
        fetch_areas("https://example.org/kode-wilayah.csv", sha256="0" * 64, settings=offline)
