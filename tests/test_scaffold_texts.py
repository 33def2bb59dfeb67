"""A scaffolded municipality builds without touching its texts (#10).

`new-kommune` writes the text chapters with a starting text made of placeholders and phrase filters, and an
empty slot file (a comment only) for every declared slot, which falls back to the generated paragraphs. The
test scaffolds a municipality, fills only the data files with Slagelse's (the name replaced), and builds: exit
0, the texts byte for byte as the scaffold wrote them, and the report reads them from the new data.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from conftest import RAW, DataCopy, tree_digest

from servicetjek.inputs.scaffold import PLACEHOLDER

NEW, NEW_SLUG = "Skovby", "skovby"       # not a member of any bundled comparison group
SOURCE, SOURCE_SLUG = "Slagelse", "slagelse"


def _fill_with_source_data(folder: Path) -> None:
    """Every file new-kommune wrote outside texts/ (and the extracts) replaced by the source's, renamed."""
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and rel.parts[0] != "texts":
            path.unlink()
    shutil.rmtree(folder / "extracts")
    shutil.copytree(RAW / SOURCE_SLUG / "extracts", folder / "extracts")
    for path in (folder / "extracts").iterdir():
        path.rename(path.with_name(path.name.replace(SOURCE_SLUG, NEW_SLUG)))
    wanted = [p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()]
    from servicetjek.inputs.scaffold import files_for

    for rel in files_for(NEW):
        if not rel.startswith(("texts/", "extracts/")):
            shutil.copy2(RAW / SOURCE_SLUG / rel, folder / rel)
            wanted.append(rel)
    for rel in wanted:
        path = folder / rel
        if rel.startswith("texts/") or path.suffix == ".xlsx":     # the xlsx extracts hold 'Hele landet' only
            continue
        raw = path.read_bytes()
        bom = raw.startswith(b"\xef\xbb\xbf")
        text = raw.decode("utf-8-sig").replace(SOURCE, NEW).replace(SOURCE_SLUG, NEW_SLUG)
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))


def test_scaffolded_municipality_builds_without_touching_its_texts(data_copy: DataCopy):
    from servicetjek import declaration

    assert data_copy.pipeline("new-kommune", NEW).returncode == 0
    folder = data_copy.raw / NEW_SLUG
    report = declaration.report()
    slots = [f"texts/{c.decl.id}/{s}.md" for c in report.chapters for s in c.decl.slots]
    texts = [c.decl.source for c in report.text_chapters()]
    assert slots and all((folder / rel).is_file() for rel in slots + texts)
    for rel in slots + texts:
        content = (folder / rel).read_text(encoding="utf-8")
        assert PLACEHOLDER not in content, rel
    written = tree_digest(folder / "texts")

    _fill_with_source_data(folder)
    shutil.rmtree(data_copy.raw / "naestved")       # one municipality to build
    run = data_copy.pipeline("build", "--kommune", NEW, "--format", "html", "--quiet")
    assert run.returncode == 0, run.stderr[-3000:]
    assert tree_digest(folder / "texts") == written, "the build changed a text"

    reports = Path(data_copy.env()["SERVICETJEK_REPORTS"])
    page = (reports / NEW_SLUG / f"servicetjek-{NEW_SLUG}.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "{{" not in text and PLACEHOLDER not in text and SOURCE not in text
    # the starting texts, filled from the data: Slagelse's numbers and direction words under the new name
    assert f"{NEW} Kommune har fået gennemført et servicetjek" in text and "11 forslag til at optimere" in text
    assert "I 2019 var der gennemsnitligt 9.743 fuldtidspersoner på offentlig forsørgelse i Skovby Kommune" in text
    assert "Fra 2017 til 2019 er antallet steget, mens det er faldet i klyngen" in text
    assert "Kommunens enhedsomkostninger er 17 pct. lavere end gennemsnittet" in text
    assert "de fjerdelaveste enhedsomkostninger af de 13 jobcentre" in text
    # the empty slots fall back to the chapters' generated paragraphs
    assert "Antallet er steget med 126 fuldtidspersoner" in text and "I budgettet stiger antallet" in text
