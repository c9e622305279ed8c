"""Lab 14, public tests: run them with ``workbook lab check 14``."""

from typing import Any


def test_the_files_are_in_terraform_s_canonical_format(terraform: Any, lab_src: Any) -> None:
    """Run `terraform fmt` in your folder: it aligns the `=` signs and indents by two spaces."""
    result = terraform.run("fmt", "-check", "-diff", "-no-color", str(lab_src))
    assert result.returncode == 0, f"terraform fmt would change:\n{result.stdout}{result.stderr}"


def test_a_good_bucket_name_is_accepted(terraform: Any) -> None:
    """Lowercase letters, digits and hyphens, 3 to 63 of them: a name like
    `workbook-prod-exports` must pass every validation."""
    for name in ["workbook-prod-exports", "exports_2026", "abc"]:
        assert terraform.accepts(bucket_name=name), f"bucket_name = {name!r} was refused"


def test_a_bucket_name_with_capitals_or_spaces_is_refused(terraform: Any) -> None:
    """Add a validation block to bucket_name whose condition is a regex (can(regex(...))):
    capitals, spaces, dots and a leading hyphen are refused."""
    for name in ["Workbook-Exports", "workbook exports", "workbook.exports", "-exports"]:
        assert terraform.refusals("bucket_name", name), f"bucket_name = {name!r} was accepted"


def test_a_retention_outside_7_to_365_days_is_refused(terraform: Any) -> None:
    """Add a validation block to retention_days: at least 7, at most 365."""
    for days in [0, 6, 366, -30]:
        assert terraform.refusals("retention_days", days), f"retention_days = {days} was accepted"
    for days in [7, 365]:
        assert terraform.accepts(retention_days=days), f"retention_days = {days} was refused"


def test_checkov_finds_no_failed_check_on_the_bucket(checkov: Any) -> None:
    """checkov's bucket checks: uniform_bucket_level_access = true, public_access_prevention =
    "enforced", a versioning block (enabled = true) and a logging block (log_bucket)."""
    results = checkov.results()
    failed = sorted(f"{c['check_id']}: {c['check_name']}" for c in results["failed"])
    assert failed == [], f"checkov failed {len(failed)} checks: " + "; ".join(failed)
    evaluated = {c["check_id"] for outcome in results.values() for c in outcome}
    assert checkov.bucket_checks <= evaluated, f"checkov did not check the bucket: {evaluated}"
