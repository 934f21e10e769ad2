"""The suite's own rule (tests/conftest.py): only a CUDA-only test may skip."""

from __future__ import annotations

from pathlib import Path

import pytest

CONFTEST = Path(__file__).with_name("conftest.py").read_text()


@pytest.fixture
def suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.delenv("WDLINT_ALLOW_SKIPS", raising=False)
    pytester.makeconftest(CONFTEST.replace('pytest_plugins = ["pytester"]', ""))
    return pytester


def test_a_skip_for_a_missing_dependency_fails_the_run(suite: pytest.Pytester):
    suite.makepyfile("import pytest\ndef test_a():\n    pytest.importorskip('no_such_framework')\n")
    result = suite.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["1 tests skipped for something other than a CUDA device*", "*test_a*no_such_framework*"])


def test_a_cuda_only_skip_is_allowed(suite: pytest.Pytester):
    suite.makepyfile("import pytest\n@pytest.mark.skipif(True, reason='needs a CUDA device')\ndef test_a():\n    pass\n")
    assert suite.runpytest("-p", "no:cacheprovider").ret == pytest.ExitCode.OK


def test_a_contributor_may_allow_skips_deliberately(suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("WDLINT_ALLOW_SKIPS", "1")
    suite.makepyfile("import pytest\ndef test_a():\n    pytest.skip('no torch')\n")
    assert suite.runpytest("-p", "no:cacheprovider").ret == pytest.ExitCode.OK
