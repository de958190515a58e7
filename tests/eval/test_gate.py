"""The evaluation as the gate: real model, real indexes, every corpus, the test split."""

import pytest

from eval.run import run
from rag.settings import Settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_evaluation_gate(real_index_dir, tmp_path):
    settings = Settings(index_dir=real_index_dir)
    code = run(settings, gate=True, out=tmp_path)
    report = (tmp_path / "report.md").read_text()
    assert code == 0, report[:4000]
    assert "main test" in report and "debian all" in report and "licences all" in report and "handbook all" in report
    assert "maintainers all" in report and "puzzles all" in report and "sqlite all" in report
    assert "gnucash all" in report and "devref all" in report and "history all" in report
    assert "git all" in report and "policy all" in report and "guidebook all" in report and "astro all" in report and "rfaq all" in report
    assert (tmp_path / "report.png").stat().st_size > 0
