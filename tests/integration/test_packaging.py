"""The distribution a shop developer pip-installs carries everything the app needs."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_contains_the_app_and_nothing_of_the_example_shop(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        timeout=300,
    )
    wheel = next(tmp_path.glob("django_oscar_ai_crm-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()

    assert "oscar_ai_crm/migrations/0001_initial.py" in names
    assert "oscar_ai_crm/templates/oscar_ai_crm/privacy.html" in names
    assert "oscar_ai_crm/templates/oscar_ai_crm/admin/input_filter.html" in names
    assert "oscar_ai_crm/management/commands/crm_backfill.py" in names
    assert not [n for n in names if n.startswith(("example_project/", "tests/", "benchmarks/"))]
    metadata = next(n for n in names if n.endswith("METADATA"))
    requires = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "Requires-Dist: django-oscar<4.3,>=4.2" in requires
    assert 'torch<3,>=2.2; extra == "local"' in requires
