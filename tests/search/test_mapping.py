"""es_mappings/jobs.json and the jobs section's document function describe the same document; the mapping ships
in the wheel."""

from __future__ import annotations

from sections.jobs import JOBS
from sections.jobs import job_document
from tests.helpers.postings import sample_job

def test_every_document_field_is_mapped_and_every_mapped_field_is_filled():
    mapped = set(JOBS.definition()["mappings"]["properties"])
    assert set(job_document(sample_job())) == mapped


def test_document_times_carry_the_shanghai_offset():
    doc = job_document(sample_job())
    assert doc["create_at"] == "2026-01-15T23:21:09.641+08:00"
    assert doc["last_refresh_time"] is None and doc["rank_time"] == doc["create_at"]
    assert doc["location"] == {"lat": 31.230416, "lon": 121.473701}


def test_texts_are_searched_through_builtin_analyzers_and_nothing_analysed_goes_unqueried():
    """The app cuts the words (search/text.py): the engine only splits them on spaces. A text field the
    search box does not query is not indexed (no engine work, no disk for nothing)."""
    from sections import all_sections
    from search.keywords import KEYWORD_FIELD, WORD_FIELDS

    for section in all_sections():
        properties = section.definition()["mappings"]["properties"]
        analysed = {name for name, field in properties.items() if field["type"] == "text" and field.get("index", True)}
        assert analysed == {*WORD_FIELDS, KEYWORD_FIELD}, section.name
        assert all(properties[name]["analyzer"] == "whitespace" for name in WORD_FIELDS)
        assert properties[KEYWORD_FIELD]["analyzer"] == "standard"


def test_an_installed_wheel_finds_its_mapping_from_any_directory(tmp_path):
    import shutil
    import subprocess
    import sys
    import zipfile
    from pathlib import Path

    # Built from a copy of the project's files: the build leaves nothing in the working tree.
    root, source = Path(__file__).resolve().parents[2], tmp_path / "source"
    shutil.copytree(root, source, ignore=shutil.ignore_patterns(".*", "var", "build", "mutants", "tests",
                                                                 "__pycache__", "*.egg-info"))
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(tmp_path / "dist"), str(source)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    zipfile.ZipFile(wheel).extractall(tmp_path / "site")
    # Only the unpacked wheel on the path, run from elsewhere: no source tree to fall back on.
    done = subprocess.run([sys.executable, "-I", "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
                           "from sections.jobs import JOBS; import search; from search.vocabulary import is_known, from_pinyin; "
                           "assert is_known('大厨') and from_pinyin('chushi')[0] == '厨师'; "
                           "print(JOBS.definition()['settings']['max_result_window'], search.__file__)",
                           str(tmp_path / "site")], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    window, module = done.stdout.split()
    assert window == "10000" and module.startswith(str(tmp_path / "site"))
