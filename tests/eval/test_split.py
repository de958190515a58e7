"""eval/split.py: the fixed split, and gathering writers' files into one file per corpus."""

import yaml

from eval import split
from eval.questions import CorpusSet


def _item(i: int, kind: str = "number") -> dict:
    return {"id": f"q-{i}", "kind": kind, "doc": "d", "question": f"how many {i}?", "answers": [str(i)],
            "evidence": [{"doc": "d", "text": f"there were {i} of them"}]}


def test_a_file_goes_to_the_corpus_whose_name_it_bears_in_full(tmp_path, monkeypatch):
    corpora = tuple(CorpusSet(name, tmp_path / name, tmp_path / "questions" / f"{name}.yaml")
                    for name in ("main", "maintainers"))
    monkeypatch.setattr(split, "CORPORA", corpora)
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "maintainers.yaml").write_text(yaml.safe_dump([_item(1), _item(2)]))
    (raw / "main-writer2.yaml").write_text(yaml.safe_dump([_item(3)]))
    split.merge(raw)
    mine = yaml.safe_load((tmp_path / "questions" / "maintainers.yaml").read_text())
    main = yaml.safe_load((tmp_path / "questions" / "main.yaml").read_text())
    assert [q["id"] for q in mine] == ["q-1", "q-2"]  # "maintainers" starts with "main": it had gone there
    assert [q["id"] for q in main] == ["q-3"] and main[0]["author"] == "writer-main-writer2"


def test_the_split_is_a_third_test_and_the_same_every_time():
    items = [_item(i) for i in range(30)]
    split.assign(items)
    first = [q["split"] for q in items]
    split.assign(items)
    assert [q["split"] for q in items] == first
    assert first.count("test") == 10
