"""Helpers for the review workbook tests: OCR rows from the dev truth, LibreOffice, a reviewer."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
import yaml
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("YOMIKAKI_SHARED_DIR", REPO.parent / "shared"))
DEV_ROLES = ("dev_0001.jpg", "dev_0002.jpg", "dev_0003.jpg", "dev_0004.jpg", "dev_0005.jpg", "dev_0006.jpg",
             "dev_0008.png")
_generated: Path | None = None


def dev_dir() -> Path:
    """The dev scans with truth: ../shared's, or (without ../shared) forms from the repo's generator.

    The generated set is named like the dev files the tests use, by role: dev_0001 pays into
    ゆうちょ (a number with a leading zero) and has several members, dev_0002 a bank account and
    several members, dev_0008 is a PNG.
    """
    global _generated
    shared = SHARED / "ocr-samples" / "dev"
    if (shared / "truth").is_dir():
        return shared
    if _generated is None:
        _generated = _generate_dev()
    return _generated


def _generate_dev() -> Path:
    import tempfile

    try:
        from samples.forms.generator import default_households, generate_batch
    except ImportError as exc:
        pytest.skip(f"neither ../shared nor the form generator is available: {exc}")
    gen = Path(tempfile.mkdtemp(prefix="yomikaki-review-dev-"))
    scans = generate_batch(default_households(), gen / "raw", count=14, seed=3)
    truths = {p: json.loads((p.parent / "truth" / f"{p.name}.json").read_text(encoding="utf-8")) for p in scans}
    yucho = [p for p in scans if truths[p].get("yucho_number") and len(truths[p]["members"]) >= 2]
    bank = [p for p in scans if truths[p].get("account_number") and len(truths[p]["members"]) >= 2]
    rest = [p for p in scans if p not in yucho[:1] + bank[:1]]
    if not yucho or not bank or len(rest) < 5:
        pytest.skip("the generated forms do not cover the roles the tests need")
    picks = [yucho[0], bank[0], *rest[:5]]
    (gen / "truth").mkdir()
    for name, src in zip(DEV_ROLES, picks, strict=True):
        truth = truths[src]
        if name == "dev_0001.jpg":  # the role needs a leading zero (7 digits, still a valid number)
            truth["yucho_number"] = "0" + truth["yucho_number"][-6:]
        with Image.open(src) as img:
            img.convert("RGB").save(gen / name)
        (gen / "truth" / f"{name}.json").write_text(json.dumps(truth, ensure_ascii=False), encoding="utf-8")
    return gen


TEMPLATE = REPO / "samples" / "forms" / "benefit-application" / "template.yaml"
TRUTH_KEYS_SKIP = ("form", "page", "_meta")
# What the "OCR" got wrong in the rows built from the truth (the reviewer puts the truth back):
# field → function(truth value) → wrong value
MISTAKES = {
    "account_number": lambda v: v[:-1] + str((int(v[-1]) + 1) % 10) if v else v,
    "yucho_number": lambda v: v[:-1] + str((int(v[-1]) + 3) % 10) if v else v,
    "phone": lambda v: v.replace("-", "", 1) if v else v,
}
REVIEWED = ("application_date", "phone", "bank_name", "account_number", "yucho_number", "seal_present")
CONFIDENCE = {"application_date": 0.86, "phone": 0.62, "bank_name": 0.93, "account_number": 0.31,
              "yucho_number": 0.35, "seal_present": 0.7}


def truth_fields(name: str) -> dict:
    truth = json.loads((dev_dir() / "truth" / f"{name}.json").read_text(encoding="utf-8"))
    return {k: v for k, v in truth.items() if k not in TRUTH_KEYS_SKIP}


def _zones() -> dict[str, list[float]]:
    template = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))
    zones = {}
    for f in template["fields"]:
        if "zone" in f:
            zones[f["key"]] = f["zone"]
        elif "parts" in f:  # boxed date: year → day
            xs = [p[0] for p in f["parts"].values()]
            ys = [p[1] for p in f["parts"].values()]
            last = list(f["parts"].values())[-1]
            zones[f["key"]] = [min(xs), min(ys), last[0] + last[2] - min(xs), last[3]]
        elif "options" in f:
            boxes = list(f["options"].values())
            x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
            x1 = max(b[0] + b[2] for b in boxes) + 15
            y1 = max(b[1] + b[3] for b in boxes)
            zones[f["key"]] = [x0, y0, x1 - x0, y1 - y0]
    return zones


def build_rows(folder: Path, names: list[str], *, mistakes: bool = True) -> tuple[Path, dict[str, dict]]:
    """rows.jsonl as the pipeline writes it, from the truth files; crops cut from the real scans.

    Returns (rows.jsonl, {source: truth fields}).
    """
    folder.mkdir(parents=True, exist_ok=True)
    zones = _zones()
    truths, lines = {}, []
    for name in names:
        scan = dev_dir() / name
        truth = truth_fields(name)
        truths[name] = truth
        fields = json.loads(json.dumps(truth))
        review = [k for k in REVIEWED if truth.get(k) is not None or k in ("bank_name",)]
        if mistakes:
            for key, wrong in MISTAKES.items():
                if fields.get(key):
                    fields[key] = wrong(fields[key])
        pages = folder / "pages"
        crops_dir = folder / "crops"
        pages.mkdir(exist_ok=True)
        crops_dir.mkdir(exist_ok=True)
        page_image = pages / f"{Path(name).stem}_p1.jpg"
        crops = {}
        with Image.open(scan) as img:
            img = img.convert("RGB")
            img.reduce(2).save(page_image, quality=70)
            scale = img.width / 210.0
            for key in review:
                x, y, w, h = zones[key]
                crop = img.crop((int(x * scale), int(y * scale), int((x + w) * scale), int((y + h) * scale)))
                path = crops_dir / f"{Path(name).stem}_{key}.png"
                crop.save(path)
                crops[key] = f"crops/{path.name}"
        lines.append({
            "source": name, "page": 1, "form": "benefit-application", "status": "ok", "fields": fields,
            "confidence": {k: (CONFIDENCE.get(k, 0.99) if k in review else 0.99) for k in fields},
            "review": review, "errors": [],
            "page_image": f"pages/{page_image.name}", "crops": crops,
        })
    lines.append({"source": "blank_page.png", "page": 1, "form": None, "status": "blank", "fields": {},
                  "confidence": {}, "review": [], "errors": ["白紙のページです（インクがほとんどありません）"]})
    rows = folder / "rows.jsonl"
    rows.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    return rows, truths


DEV_NAMES = ["dev_0001.jpg", "dev_0002.jpg", "dev_0003.jpg", "dev_0004.jpg"]


# ---- LibreOffice -------------------------------------------------------------------------
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def soffice(args: list[str], cwd: Path, timeout: int = 120) -> subprocess.CompletedProcess:
    """Run LibreOffice headless with a private profile (no clash with other tests or users)."""
    if not SOFFICE:
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = Path("/tmp") / f"yomikaki-lo-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    env = dict(os.environ, HOME=str(profile))
    cmd = [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", *args]
    try:
        return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def convert(files: list[Path], fmt: str, outdir: Path) -> list[Path]:
    """Convert files in one LibreOffice call; every output must exist."""
    outdir.mkdir(parents=True, exist_ok=True)
    proc = soffice(["--convert-to", fmt, "--outdir", str(outdir), *map(str, files)], cwd=outdir)
    ext = fmt.split(":")[0]
    outs = [outdir / f"{f.stem}.{ext}" for f in files]
    missing = [o for o in outs if not o.exists()]
    assert not missing, f"LibreOffice did not write {missing}: rc={proc.returncode} {proc.stdout} {proc.stderr}"
    assert "Error" not in proc.stderr, proc.stderr
    return outs


# ---- a reviewer at work (openpyxl) --------------------------------------------------------
def sheet_index(ws) -> tuple[dict[str, int], dict[str, int]]:
    """({header: column}, {source file: row}) of the 確認 sheet."""
    headers = {c.value: c.column for c in ws[2] if c.value}
    rows = {}
    for r in range(3, ws.max_row + 1):
        value = ws.cell(r, headers["ファイル"]).value
        if value:
            rows[value] = r
    return headers, rows


def reviewer_edit(src: Path, dst: Path, edits: dict[tuple[str, str], object], *, by: str = "確認者 山田",
                  then=None) -> Path:
    """Open the workbook like a reviewer, type values into cells, save under ``dst``."""
    from openpyxl import load_workbook

    wb = load_workbook(src)
    ws = wb["確認"]
    headers, rows = sheet_index(ws)
    for (source, header), value in edits.items():
        ws.cell(rows[source], headers[header]).value = value
    if then:
        then(wb, ws, headers, rows)
    wb.properties.lastModifiedBy = by
    wb.save(dst)
    return dst


def truth_edits(truths: dict[str, dict]) -> dict[tuple[str, str], object]:
    """The corrections a careful reviewer makes: the truth back into every field the OCR got wrong."""
    labels = {"account_number": "口座番号", "yucho_number": "ゆうちょ番号", "phone": "電話番号"}
    edits = {}
    for source, truth in truths.items():
        for key, label in labels.items():
            if truth.get(key):
                edits[(source, label)] = truth[key]
    return edits


def copy_row(ws, src: int, dst: int) -> None:
    for c in range(1, ws.max_column + 1):
        ws.cell(dst, c).value = ws.cell(src, c).value


def swap_rows(ws, a: int, b: int) -> None:
    for c in range(1, ws.max_column + 1):
        ws.cell(a, c).value, ws.cell(b, c).value = ws.cell(b, c).value, ws.cell(a, c).value


def swap_columns(ws, a: int, b: int) -> None:
    for r in range(2, ws.max_row + 1):
        ws.cell(r, a).value, ws.cell(r, b).value = ws.cell(r, b).value, ws.cell(r, a).value


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def calc_edit(jobs: list[dict], workdir: Path, timeout: int = 120) -> None:
    """Type cells in LibreOffice Calc (UNO, Debian's python3) and save as .xlsx; see lo_calc_edit.py."""
    python = shutil.which("python3", path="/usr/bin")
    if not SOFFICE or not python:
        pytest.skip("LibreOffice / python3-uno not installed")
    check = subprocess.run([python, "-c", "import uno"], capture_output=True, timeout=30, check=False)
    if check.returncode:
        pytest.skip("python3-uno is not installed")
    jobs_file = workdir / "calc_jobs.json"
    jobs_file.write_text(json.dumps(jobs, ensure_ascii=False), encoding="utf-8")
    profile = Path("/tmp") / f"yomikaki-lo-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")} | {"HOME": str(profile)}
    try:
        proc = subprocess.run([python, str(Path(__file__).with_name("lo_calc_edit.py")), str(jobs_file),
                               str(profile)], capture_output=True, text=True, timeout=timeout, env=env,
                              check=False)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert proc.returncode == 0, proc.stderr
    for job in jobs:
        assert Path(job["dst"]).is_file(), proc.stderr
