"""The command line: fetch and match (other commands are tested with their modules)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from mapping.cli import main
from mapping.gazetteer import MATCH_COLUMNS


def test_fetch(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-q", "fetch"]) == 0
    assert "tapanuli-utara.gpkg" in capsys.readouterr().out


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_match_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _write(
        tmp_path / "in.csv",
        "No;Nama Desa;Kec.\n1;Sitampurung;Siborong-Borong\n2;SITAMPURUNG;\n"
        "3;Kel. Hutatoruan 7;Tarutung\n4;Balige;Toba\n5;Silangkitan;Pahae Jae\n",
        "cp1252",
    )
    out = tmp_path / "out" / "match.csv"
    assert main(["match", str(src), "--level", "desa", "-o", str(out)]) == 0
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(got.columns) == MATCH_COLUMNS
    assert list(got["row"]) == ["1", "2", "3", "4", "5"]
    assert list(got["method"]) == ["exact", "ambiguous", "normalized", "unmatched", "fuzzy"]
    assert list(got["code"]) == ["12.02.09.2004", "", "12.02.01.1004", "", "12.02.06.2004"]
    assert got.loc[1, "candidates"].count(":") == 2
    err = capsys.readouterr().err
    assert "exact: 1" in err and "ambiguous: 1" in err and "unmatched: 1" in err
    assert "warning: row 5: 'Silangkitan' taken as Silangkitang (12.02.06.2004)" in err


def test_match_xlsx_with_named_columns(tmp_path: Path) -> None:
    src = tmp_path / "in.xlsx"
    pd.DataFrame(
        {"kode": ["1202012010", "", "1205080"], "wilayah": ["", "Purba Tua", "x"]}
    ).to_excel(src, index=False)
    out = tmp_path / "m.csv"
    code = main(
        [
            "match",
            str(src),
            "--level",
            "kecamatan",
            "--name-col",
            "wilayah",
            "--code-col",
            "kode",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    # A desa code is not a kecamatan: it falls back to the (empty) name.
    assert list(got["method"]) == ["unmatched", "normalized", "code"]
    assert list(got["code"]) == ["", "12.02.08", "12.02.06"]


def test_match_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _write(tmp_path / "in.csv", "foo,bar\n1,2\n")
    assert main(["match", str(src)]) == 1
    assert "No desa/kelurahan name or code column found" in capsys.readouterr().err
    assert main(["match", str(src), "--name-col", "Desa"]) == 1
    assert "Column 'Desa' (--name-col) not found" in capsys.readouterr().err
    assert main(["match", str(tmp_path / "none.csv")]) == 1
    assert "not found" in capsys.readouterr().err


def test_python_dash_m() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mapping", "--help"], capture_output=True, text=True, check=True
    )
    assert "match" in done.stdout and "fetch" in done.stdout


def test_match_file_with_title_rows_and_totals(tmp_path: Path) -> None:
    src = _write(
        tmp_path / "laporan.csv",
        "DATA PMKS KECAMATAN TARUTUNG\nTAHUN 2024\n\nNo,Desa/Kelurahan,Jumlah\n"
        "1,HUTATORUAN VII,3\n2,Hutapea Banuarea,4\n,JUMLAH,7\n",
    )
    out = tmp_path / "m.csv"
    assert main(["match", str(src), "-o", str(out)]) == 0
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(got["input_name"][:2]) == ["HUTATORUAN VII", "Hutapea Banuarea"]
    assert list(got["code"][:2]) == ["12.02.01.1004", "12.02.01.2010"]
    # Every input row gets an output row; a totals row is not a place and says so.
    assert len(got) == 3 and list(got["method"]) == ["exact", "exact", "total-row"]
    assert got["code"][2] == "" and got["input_name"][2] == "JUMLAH"


def test_match_recognises_columns_as_the_welfare_readers_do(tmp_path: Path) -> None:
    src = _write(
        tmp_path / "hdr.csv",
        "No,Nama Desa/Kel.,Kec.,Kode Kemendagri Desa\n1,Sitampurung,,1202092004\n"
        "2,Sitampurung,Tarutung,\n,Total,,\n",
    )
    out = tmp_path / "m.csv"
    assert main(["match", str(src), "-o", str(out)]) == 0
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(got["method"]) == ["code", "exact", "total-row"]
    assert list(got["code"]) == ["12.02.09.2004", "12.02.01.2025", ""]


def test_match_foreign_kecamatan_is_not_taken(tmp_path: Path) -> None:
    # Kec. Lumban Julu is in Toba; Tapanuli Utara's Lumban Julu desa is in Pagaran.
    src = _write(
        tmp_path / "x.csv", "Desa;Kecamatan\nLumban Julu;Lumban Julu\nLumban Julu;Pagaran\n"
    )
    out = tmp_path / "m.csv"
    assert main(["match", str(src), "-o", str(out)]) == 0
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(got["method"]) == ["unmatched", "exact"]
    assert got["candidates"][0].startswith("12.02.10.2002:Lumban Julu")


def test_build_refuses_bad_options_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    afile = _write(tmp_path / "afile", "x")
    with pytest.raises(SystemExit) as exit_info:
        main(["build", "-o", str(afile)])
    assert exit_info.value.code == 2
    assert "is a file; give a folder" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["build", "--dpi", "-5"])
    assert "not a resolution from 50 to 1200 dpi" in capsys.readouterr().err


def test_unreadable_path_is_one_line_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A match output into a folder that is a file: an OSError from the OS, reported plainly.
    blocker = _write(tmp_path / "blocker", "x")
    src = _write(tmp_path / "in.csv", "Desa\nSarulla\n")
    assert main(["match", str(src), "-o", str(blocker / "m.csv")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("peta-kesos match: error:") and "Traceback" not in err


def test_match_warns_when_code_and_name_disagree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _write(tmp_path / "c.csv", "Kode,Desa\n1202062004,Silangkitang\n1202062004,Sarulla\n")
    out = tmp_path / "m.csv"
    assert main(["match", str(src), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "warning: row 2: code 1202062004 is Silangkitang (12.02.06.2004)" in err
    assert "'Sarulla' is Sarulla (12.02.06.1001); the code was used" in err
    assert "row 1:" not in err


def test_build_jobs_must_be_a_whole_number_of_processes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from mapping.cli import build_parser

    assert build_parser().parse_args(["build", "--jobs", "2"]).jobs == 2
    for bad in ("0", "dua"):
        with pytest.raises(SystemExit):
            build_parser().parse_args(["build", "--jobs", bad])
        assert f"{bad!r} is not a number of processes" in capsys.readouterr().err
