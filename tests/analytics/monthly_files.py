"""Small monthly report files, written as analysts would and loaded through the real loader."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from etl.load import load_file


def load_month(db: Path, folder: Path, title: str, header: list[str], rows: list[list]) -> None:
    """A sheet titled 'BÁO CÁO THÁNG {title}' with a 'Mã xã' column and `header`, loaded into `db`."""
    book = Workbook()
    sheet = book.active
    sheet.append([f"BÁO CÁO THÁNG {title}"])
    sheet.append(["Mã xã", *header])
    for row in rows:
        sheet.append(row)
    path = folder / f"{title.replace('/', '-')}-{len(list(folder.iterdir()))}.xlsx"
    book.save(path)
    result = load_file(path, db=db)
    assert result.status == "loaded", [p.message("en") for p in result.review.errors]
