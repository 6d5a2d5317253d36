"""Review workbook: export (and import) of 1,000 forms — target < 60 s and < 50 MB.

Rows are synthesised like the pipeline's output: realistic values, about 13 % of the fields
sent to review (the pipeline's straight-through target is 85 %; more among handwritten fields), a crop image only for fields under review
(drawn with IPAex fonts and scanner noise at 300 dpi zone sizes), one page image per form.
"""

from __future__ import annotations

import json
import os
import random
import resource
import tempfile
import time
from pathlib import Path

from benchmarks import Result

HANDWRITTEN = {  # key: (review probability, crop size px at 300 dpi)
    "application_date": (0.25, (560, 108)), "phone": (0.3, (708, 94)), "bank_name": (0.4, (855, 153)),
    "branch_name": (0.4, (855, 133)), "account_number": (0.3, (658, 107)),
    "account_holder_kana": (0.3, (1740, 118)), "applicant_signature": (0.45, (1410, 189)),
    "bank_kind": (0.1, (700, 120)), "branch_kind": (0.1, (700, 60)), "account_type": (0.1, (300, 60)),
    "seal_present": (0.1, (342, 189)),
}
PRINTED_REVIEW = 0.05  # printed fields and member rows; crops are cut only for the handwritten ones
FAMILY = ["高田", "斎藤", "鈴木", "佐藤", "田中", "渡辺", "伊藤", "山本", "中村", "小林"]
GIVEN = ["昭二", "真理", "弘子", "直美", "健一", "香織", "義男", "樹", "花子", "太郎"]
KANA_F = ["タカダ", "サイトウ", "スズキ", "サトウ", "タナカ", "ワタナベ", "イトウ", "ヤマモト", "ナカムラ", "コバヤシ"]
KANA_G = ["ショウジ", "マリ", "ヒロコ", "ナオミ", "ケンイチ", "カオリ", "ヨシオ", "イツキ", "ハナコ", "タロウ"]


def _font(size: int):
    from PIL import ImageFont

    for path in ("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
                 "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf"):
        if os.path.exists(path):
            return ImageFont.truetype(path, size)
    return ImageFont.load_default()


def _crop_pool(folder: Path, rng: random.Random, n: int = 60) -> dict[str, list[str]]:
    """Noisy grey crops per field, like a cleaned scan of the zone."""
    import numpy as np
    from PIL import Image, ImageDraw

    folder.mkdir(parents=True, exist_ok=True)
    pool: dict[str, list[str]] = {}
    for key, (_, (w, h)) in HANDWRITTEN.items():
        for i in range(max(2, n // len(HANDWRITTEN))):
            img = Image.new("L", (w, h), 255)
            draw = ImageDraw.Draw(img)
            draw.rectangle([2, 2, w - 3, h - 3], outline=90, width=3)
            text = "".join(rng.choice("0123456789サイトウ坂戸銀行") for _ in range(max(3, w // 90)))
            draw.text((12, h * 0.15), text, fill=30, font=_font(int(h * 0.6)))
            noise = np.clip(np.asarray(img, dtype=np.int16) + np.random.default_rng(i).normal(0, 18, (h, w)), 0, 255)
            path = folder / f"{key}_{i}.png"
            Image.fromarray(noise.astype("uint8")).save(path)
            pool.setdefault(key, []).append(f"crops/{path.name}")
    return pool


def _page(folder: Path) -> str:
    from PIL import Image, ImageDraw

    img = Image.new("L", (1240, 1754), 250)
    draw = ImageDraw.Draw(img)
    draw.text((300, 80), "臨時特別給付金 申請書（請求書）", fill=0, font=_font(40))
    for y in range(300, 1600, 60):
        draw.line([(80, y), (1160, y)], fill=60, width=2)
    path = folder / "page.jpg"
    img.save(path, quality=70)
    return path.name


def synthesise(folder: Path, forms: int, seed: int = 7) -> tuple[Path, float]:
    """rows.jsonl for ``forms`` forms; returns (path, share of fields under review)."""
    rng = random.Random(seed)
    pool = _crop_pool(folder / "crops", rng)
    page = _page(folder)
    n_fields = n_review = 0
    with open(folder / "rows.jsonl", "w", encoding="utf-8") as fh:
        for i in range(forms):
            f, g = rng.randrange(10), rng.randrange(10)
            yucho = rng.random() < 0.15
            members = [{"name": f"{FAMILY[f]}　{GIVEN[(g + k) % 10]}", "relation": "本人" if k == 0 else rng.choice("妻子母"),
                        "birth_date": f"{rng.randint(1940, 2020)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                        "opt_out": rng.random() < 0.1} for k in range(rng.randint(2, 4))]
            fields = {
                "application_id": f"{rng.randrange(10**10):010d}", "household_head_name": members[0]["name"],
                "household_head_kana": f"{KANA_F[f]}　{KANA_G[g]}", "household_head_birth_date": members[0]["birth_date"],
                "postal_code": "3500214", "address": f"埼玉県坂戸市千代田{rng.randint(1, 5)}丁目{rng.randint(1, 30)}番{rng.randint(1, 20)}号",
                "members": members, "application_date": f"2026-07-{rng.randint(1, 28):02d}",
                "phone": f"049-{rng.randint(200, 299)}-{rng.randint(0, 9999):04d}",
                "bank_kind": None if yucho else "銀行", "bank_name": None if yucho else "埼玉りそな",
                "branch_kind": None if yucho else "支店", "branch_name": None if yucho else "坂戸",
                "account_type": None if yucho else "普通",
                "account_number": None if yucho else f"{rng.randrange(10**7):07d}",
                "yucho_symbol": "14370" if yucho else None, "yucho_number": f"{rng.randrange(10**7):08d}" if yucho else None,
                "account_holder_kana": f"{KANA_F[f]}　{KANA_G[g]}", "applicant_signature": members[0]["name"],
                "seal_present": rng.random() < 0.7,
            }
            review, crops, conf = [], {}, {}
            for key, value in fields.items():
                if key == "members":
                    for m in range(1, len(members) + 1):
                        for sub in ("name", "relation", "birth_date", "opt_out"):
                            n_fields += 1
                            if rng.random() < PRINTED_REVIEW:
                                review.append(f"members.{m}.{sub}")
                                conf[f"members.{m}.{sub}"] = round(rng.uniform(0.3, 0.9), 2)
                    continue
                if value is None:
                    continue
                n_fields += 1
                p = HANDWRITTEN.get(key, (PRINTED_REVIEW, None))[0]
                if rng.random() < p:
                    review.append(key)
                    conf[key] = round(rng.uniform(0.2, 0.89), 2)
                    if key in pool:
                        crops[key] = rng.choice(pool[key])
                else:
                    conf[key] = round(rng.uniform(0.9, 1.0), 3)
            n_review += len(review)
            row = {"source": f"scan_{i + 1:05d}.jpg", "page": 1, "form": "benefit-application", "status": "ok",
                   "fields": fields, "confidence": conf, "review": review, "errors": [],
                   "page_image": page, "crops": crops}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return folder / "rows.jsonl", n_review / n_fields


def run(quick: bool = False) -> list[Result]:
    forms = 200 if quick else 1000
    with tempfile.TemporaryDirectory(prefix="bench-review-") as tmp:
        tmp_path = Path(tmp)
        os.environ["YOMIKAKI_DATA_DIR"] = str(tmp_path / "var")
        from yomikaki.settings import reset_settings_cache

        reset_settings_cache()
        rows, share = synthesise(tmp_path / "ocr", forms)
        from ocr.review import export_review, import_review

        t0, c0 = time.perf_counter(), time.process_time()
        summary = export_review(rows, tmp_path / "out" / "review.xlsx")
        export_s, export_cpu = time.perf_counter() - t0, time.process_time() - c0
        size_mb = summary.workbook.stat().st_size / 1e6
        images_mb = sum(p.stat().st_size for p in summary.images_dir.iterdir()) / 1e6 if summary.images_dir else 0
        t0, c0 = time.perf_counter(), time.process_time()
        result = import_review(summary.workbook, tmp_path / "out" / "confirmed.jsonl")
        import_s, import_cpu = time.perf_counter() - t0, time.process_time() - c0
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    note = (f"{forms} forms, {summary.fields_to_review} fields to review ({share:.1%}), {summary.crops} crops;"
            f" CPU {export_cpu:.1f} s")
    scale = 1000 / forms
    return [
        Result("review", f"export {forms} forms", round(export_s, 2), "s",
               target="< 60" if forms == 1000 else f"< {60 / scale:.0f}", note=note),
        Result("review", f"workbook size, {forms} forms", round(size_mb, 2), "MB",
               target="< 50" if forms == 1000 else f"< {50 / scale:.0f}",
               note=f"page images beside it: {images_mb:.0f} MB"),
        Result("review", f"import {forms} forms", round(import_s, 2), "s",
               note=f"{result.rows_accepted} rows re-validated and written; CPU {import_cpu:.1f} s"),
        Result("review", "peak memory (export + import)", round(rss_mb, 1), "MB", note="ru_maxrss of the process"),
    ]


if __name__ == "__main__":
    for r in run(quick="--quick" in os.sys.argv):
        print(r)
