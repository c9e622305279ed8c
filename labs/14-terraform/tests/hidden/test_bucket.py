"""Lab 14, hidden tests: the instructor grades with these as well as the public ones."""

from typing import Any


def test_names_of_3_and_63_characters_are_the_limits(terraform: Any) -> None:
    """Google Cloud's limits are 3 and 63 characters: both are accepted, 2 and 64 refused."""
    for name in ["ab1", "a" * 63]:
        assert terraform.accepts(bucket_name=name), f"a {len(name)}-character name was refused"
    for name in ["ab", "a" * 64]:
        assert terraform.refusals("bucket_name", name), f"a {len(name)}-character name passed"


def test_a_name_must_start_and_end_with_a_letter_or_digit(terraform: Any) -> None:
    """Hyphens and underscores only inside the name."""
    for name in ["exports-", "_exports", "exports_"]:
        assert terraform.refusals("bucket_name", name), f"bucket_name = {name!r} was accepted"


def test_the_goog_prefix_is_refused_by_a_rule_of_its_own(terraform: Any) -> None:
    """A second validation block, with a message that names the reserved prefix: a name that
    breaks only that rule is refused, and its message is not the pattern's."""
    pattern_messages = terraform.refusals("bucket_name", "Exports")
    goog_messages = terraform.refusals("bucket_name", "google-exports")
    assert goog_messages, "bucket_name = 'google-exports' was accepted"
    assert len(goog_messages) == 1, f"more than one rule refuses 'google-exports': {goog_messages}"
    assert goog_messages != pattern_messages, "the prefix rule repeats the pattern's message"
    assert "goog" in goog_messages[0], f"the message does not name the prefix: {goog_messages[0]}"


def test_a_retention_in_fractions_of_a_day_is_refused(terraform: Any) -> None:
    """retention_days is a number, so 30.5 reaches the rule: require a whole number
    (floor(x) == x)."""
    assert terraform.refusals("retention_days", 30.5), "retention_days = 30.5 was accepted"


def test_the_bucket_deletes_exports_after_retention_days(bucket: dict[str, Any]) -> None:
    """A lifecycle_rule whose condition is age = var.retention_days and whose action is
    type = "Delete"."""
    rules = bucket.get("lifecycle_rule", [])
    deletes = [
        rule
        for rule in rules
        if rule.get("action", [{}])[0].get("type") == "Delete"
        and str(rule.get("condition", [{}])[0].get("age")) == "${var.retention_days}"
    ]
    assert deletes, f"no Delete rule with age = var.retention_days: {rules}"


def test_the_bucket_is_built_from_the_variables(bucket: dict[str, Any]) -> None:
    """The validated variables are what the bucket uses: name, location, labels and the log
    bucket come from var.*, never from literals."""
    expected = {
        "name": "${var.bucket_name}",
        "location": "${var.location}",
        "labels": "${var.labels}",
    }
    actual = {key: bucket.get(key) for key in expected}
    assert actual == expected, actual
    logging = bucket.get("logging", [{}])[0]
    assert logging.get("log_bucket") == "${var.log_bucket}", f"logging: {logging}"


def test_every_bucket_check_passes(checkov: Any) -> None:
    """Each of checkov's bucket checks passes: fix the bucket rather than skip a check."""
    results = checkov.results()
    passed = {c["check_id"] for c in results["passed"]}
    assert passed >= checkov.bucket_checks, f"not passed: {sorted(checkov.bucket_checks - passed)}"
