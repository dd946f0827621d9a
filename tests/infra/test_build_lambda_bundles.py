"""scripts/build_lambda_bundles.py: platform checks, assembly and bytecode (no network, no real install)."""

from __future__ import annotations

from pathlib import Path

import pytest
from scripts.build_lambda_bundles import (
    BUNDLES,
    CACHE_TAG,
    BundleBuildError,
    assemble_bundle,
    check_platforms,
    compile_bytecode,
    tag_fits_lambda,
)


def _dist_info(root: Path, name: str, *tags: str) -> None:
    dist_info = root / f"{name}.dist-info"
    dist_info.mkdir(parents=True)
    lines = ["Wheel-Version: 1.0", "Generator: test", *(f"Tag: {tag}" for tag in tags)]
    (dist_info / "WHEEL").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("tag", "fits"),
    [
        ("py3-none-any", True),
        ("cp312-cp312-manylinux2014_aarch64", True),
        ("cp312-cp312-manylinux_2_17_aarch64", True),
        ("cp39-abi3-manylinux_2_17_aarch64", True),
        ("cp312-cp312-manylinux2014_x86_64", False),
        ("cp311-cp311-manylinux2014_aarch64", False),
        ("cp312-cp312-macosx_11_0_arm64", False),
        ("cp312-cp312-musllinux_1_2_aarch64", False),
        ("py2-none-any", False),
    ],
)
def test_only_wheels_for_python_312_on_arm64_linux_fit_lambda(tag: str, fits: bool) -> None:
    # Given a wheel tag
    # When it is checked against the Lambda platform
    # Then only pure-Python or CPython 3.12 / abi3 manylinux aarch64 wheels fit
    assert tag_fits_lambda(tag) is fits


def test_a_build_machine_wheel_fails_the_platform_check(tmp_path: Path) -> None:
    # Given installed dependencies where one wheel was built for x86_64
    _dist_info(tmp_path, "pydantic_core-2.0.0", "cp312-cp312-manylinux2014_x86_64")
    _dist_info(tmp_path, "boto3-1.0.0", "py3-none-any")
    # When the platforms are checked
    with pytest.raises(BundleBuildError) as raised:
        check_platforms(tmp_path)
    # Then the error names the offending distribution and its tag, and not the good one
    assert "pydantic_core-2.0.0.dist-info (tags: cp312-cp312-manylinux2014_x86_64)" in str(raised.value)
    assert "boto3" not in str(raised.value)


def test_lambda_wheels_pass_the_platform_check(tmp_path: Path) -> None:
    # Given dependencies built for the Lambda platform
    _dist_info(
        tmp_path,
        "pydantic_core-2.0.0",
        "cp312-cp312-manylinux_2_17_aarch64",
        "cp312-cp312-manylinux2014_aarch64",
    )
    _dist_info(tmp_path, "boto3-1.0.0", "py3-none-any")
    # When the platforms are checked
    # Then nothing is raised
    check_platforms(tmp_path)


def test_an_empty_install_fails_the_platform_check(tmp_path: Path) -> None:
    # Given a dependency directory with nothing installed
    # When the platforms are checked
    # Then the build stops instead of shipping a bundle without dependencies
    with pytest.raises(BundleBuildError, match="no distributions were installed"):
        check_platforms(tmp_path)


def test_bundle_holds_dependencies_and_sources_without_tests_or_caches(tmp_path: Path) -> None:
    # Given installed dependencies and a source tree with tests and bytecode caches
    dependencies = tmp_path / "deps"
    _dist_info(dependencies, "boto3-1.0.0", "py3-none-any")
    (dependencies / "boto3").mkdir()
    (dependencies / "boto3" / "__init__.py").write_text("", encoding="utf-8")
    src = tmp_path / "src"
    for package in ("worker", "shared"):
        (src / package / "tests").mkdir(parents=True)
        (src / package / "__pycache__").mkdir()
        (src / package / "__init__.py").write_text("", encoding="utf-8")
        (src / package / "handler.py").write_text("x = 1\n", encoding="utf-8")
        (src / package / "tests" / "test_handler.py").write_text("", encoding="utf-8")
        (src / package / "__pycache__" / "handler.cpython-312.pyc").write_bytes(b"\0")
    (src / "shared" / "schema.json").write_text("{}", encoding="utf-8")
    # When the worker bundle is assembled
    size = assemble_bundle("worker", BUNDLES["worker"], dependencies, tmp_path / "out", src_dir=src)
    # Then it holds the dependencies, both packages and their data files, and nothing else
    bundle = tmp_path / "out" / "worker"
    files = sorted(str(path.relative_to(bundle)) for path in bundle.rglob("*") if path.is_file())
    assert files == [
        "boto3-1.0.0.dist-info/WHEEL",
        "boto3/__init__.py",
        "shared/__init__.py",
        "shared/handler.py",
        "shared/schema.json",
        "worker/__init__.py",
        "worker/handler.py",
    ]
    assert size.file_count == len(files)
    assert size.describe().startswith("worker: 0.0 MB, 7 files")


def test_a_missing_source_package_stops_the_build(tmp_path: Path) -> None:
    # Given a source tree without the api package
    dependencies = tmp_path / "deps"
    dependencies.mkdir()
    # When the api bundle is assembled
    # Then the build stops with the missing package named
    with pytest.raises(BundleBuildError, match="is not a Python package"):
        assemble_bundle("api", BUNDLES["api"], dependencies, tmp_path / "out", src_dir=tmp_path / "src")


# CPython 3.12's bytecode magic number (3531) and PEP 552 flags for hash-checked .pyc files.
PYTHON_312_MAGIC = bytes.fromhex("cb0d0d0a")
HASH_CHECKED_FLAGS = 0b11


def test_bundles_get_hash_checked_python_312_bytecode_for_every_module(tmp_path: Path) -> None:
    # Given two small bundles, one with a nested package
    for bundle, module in (("api", "handler.py"), ("worker", "pkg/inner.py")):
        path = tmp_path / bundle / module
        path.parent.mkdir(parents=True)
        path.write_text("def answer() -> int:\n    return 42\n", encoding="utf-8")

    # When their bytecode is compiled
    compiled = compile_bytecode([tmp_path / "api", tmp_path / "worker"])

    # Then each module has a .pyc that Python 3.12 would load whatever the files' timestamps
    assert compiled == 2
    for pyc in (
        tmp_path / "api" / "__pycache__" / f"handler.{CACHE_TAG}.pyc",
        tmp_path / "worker" / "pkg" / "__pycache__" / f"inner.{CACHE_TAG}.pyc",
    ):
        header = pyc.read_bytes()[:8]
        assert header[:4] == PYTHON_312_MAGIC
        assert int.from_bytes(header[4:8], "little") == HASH_CHECKED_FLAGS


def test_a_module_python_312_cannot_compile_stops_the_build(tmp_path: Path) -> None:
    # Given a bundle with a syntax error in one module
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "broken.py").write_text("def broken(:\n", encoding="utf-8")

    # When its bytecode is compiled
    # Then the build stops and names the module
    with pytest.raises(BundleBuildError, match=r"broken\.py"):
        compile_bytecode([tmp_path / "api"])
