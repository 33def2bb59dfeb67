"""Every chapter notebook runs under papermill for every bundled municipality with no edit,
writes its CSV tables, and shows the reader only finished HTML (no code output, no DataFrame repr)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd
import papermill as pm
import pytest

from servicetjek import declaration
from servicetjek.inputs.municipality import known_municipalities

PROJECT = Path(__file__).resolve().parent.parent
CHAPTERS = {c.notebook: c for c in declaration.report().notebooks()}
NOTEBOOKS = list(CHAPTERS)


def test_every_notebook_is_declared():
    """A notebook that report.yaml does not name would silently not be built: the build refuses it."""
    declared = {c.notebook for kind in declaration.load().reports for c in declaration.report(kind).notebooks()}
    assert sorted((PROJECT / "notebooks").glob("*.ipynb")) == sorted(declared)
    assert set(NOTEBOOKS) <= declared
    declaration.check_notebooks()


def test_every_notebook_has_a_parameters_cell():
    assert NOTEBOOKS, "no chapter notebooks"
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, path.name
        assert "kommune" in tagged[0].source
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.metadata.get("jupyter", {}).get("source_hidden"), f"{path.name}: code cell not hidden"


@pytest.mark.parametrize("slug", sorted(known_municipalities()))
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_for_municipality(tmp_path, notebook, slug):
    out = tmp_path / notebook.name
    pm.execute_notebook(str(notebook), str(out), parameters={"kommune": slug, "tables_dir": str(tmp_path)},
                        kernel_name="python3", progress_bar=False, cwd=str(notebook.parent))
    executed = nbformat.read(out, as_version=4)
    for cell in executed.cells:
        for output in cell.get("outputs", []):
            assert output["output_type"] == "display_data", (notebook.name, output["output_type"])
            assert "text/html" in output["data"], notebook.name
            plain = output["data"].get("text/plain", "")
            assert plain.startswith("<IPython.core.display.HTML"), plain[:80]
    for table in CHAPTERS[notebook].decl.outputs:
        frame = pd.read_csv(tmp_path / f"{table}.csv")
        assert len(frame) > 0 and frame.notna().any().all(), table
    html = "".join(o["data"]["text/html"] for c in executed.cells for o in c.get("outputs", []))
    assert "Tabel " in html and "Kilde: " in html
