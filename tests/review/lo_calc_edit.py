"""Edit workbooks in LibreOffice Calc through UNO, as a reviewer would (run with Debian's python3).

Usage: python3 lo_calc_edit.py JOBS.json PROFILE_DIR
JOBS.json: [{"src": path, "dst": path, "author": name,
             "cells": [[sheet, "U4", "text" | null, "string" | "formula"], ...]}, ...]
Every job opens src in one Calc process, types the cells, saves dst as .xlsx.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def main() -> int:
    jobs = json.load(open(sys.argv[1], encoding="utf-8"))
    profile = sys.argv[2]
    pipe = f"yomikaki{uuid.uuid4().hex[:10]}"
    soffice = shutil.which("soffice")
    proc = subprocess.Popen([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--invisible",
                             "--norestore", "--nologo", f"--accept=pipe,name={pipe};urp;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        ctx = None
        for _ in range(120):
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                time.sleep(0.25)
        if ctx is None:
            print("could not connect to LibreOffice", file=sys.stderr)
            return 2
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        config = ctx.ServiceManager.createInstanceWithContext("com.sun.star.configuration.ConfigurationProvider", ctx)
        for job in jobs:
            # the reviewer's name, as Calc's Tools > Options > User Data would hold it
            user = config.createInstanceWithArguments("com.sun.star.configuration.ConfigurationUpdateAccess",
                                                      (prop("nodepath", "/org.openoffice.UserProfile/Data"),))
            user.setPropertyValue("givenname", job.get("author", ""))
            user.setPropertyValue("sn", "")
            user.commitChanges()
            doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(job["src"])), "_blank", 0,
                                               (prop("Hidden", True),))
            for sheet_name, ref, text, kind in job["cells"]:
                cell = doc.Sheets.getByName(sheet_name).getCellRangeByName(ref)
                if kind == "formula":
                    cell.setFormula(text)
                else:
                    cell.setString(text or "")
            doc.storeToURL(uno.systemPathToFileUrl(os.path.abspath(job["dst"])),
                           (prop("FilterName", "Calc MS Excel 2007 XML"),))
            doc.close(True)
        try:
            desktop.terminate()
        except Exception:
            pass
        return 0
    finally:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    sys.exit(main())
