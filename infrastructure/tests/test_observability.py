"""Checks for the monitoring configuration in infrastructure/observability.

Four layers, from cheapest to most real:

* structure: every alert has `for`, a severity, a summary, a description and
  a runbook link that exists; the Grafana files agree with each other;
* the metric contract: every PromQL expression in the rules and the
  dashboard is parsed and may only use the metrics (and labels) the app
  promises to export. A typo such as `http_request_total` would otherwise
  give a panel that is silently empty and an alert that can never fire;
* promtool: `check config`, `check rules`, and the rule unit tests in
  observability/prometheus/tests/, which must show every alert both firing
  and staying quiet;
* a real scrape: the app and a real Prometheus on loopback ports, with the
  recording and alert rules loaded, proving the pieces fit together.

Locally a missing promtool/prometheus skips those tests; with CI set they
fail (see conftest.py). Install them with the script in INSTALL_HINT.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import yaml
from infra_tools import REPO_ROOT, require_tool

INSTALL_HINT = "run: bash infrastructure/tools/install-observability-tools.sh"
OBSERVABILITY = REPO_ROOT / "infrastructure" / "observability"
PROMETHEUS_DIR = OBSERVABILITY / "prometheus"
PROMETHEUS_CONFIG = PROMETHEUS_DIR / "prometheus.yml"
RULES_FILE = PROMETHEUS_DIR / "rules" / "reference_app.yml"
RULE_TESTS = sorted((PROMETHEUS_DIR / "tests").glob("*.yml"))
RUNBOOK = OBSERVABILITY / "RUNBOOK.md"
DASHBOARD = OBSERVABILITY / "grafana" / "dashboards" / "reference_app.json"
GRAFANA_DATASOURCES = OBSERVABILITY / "grafana" / "provisioning" / "datasources" / "prometheus.yml"
GRAFANA_PROVIDERS = OBSERVABILITY / "grafana" / "provisioning" / "dashboards" / "dashboards.yml"
# Where prometheus.yml reads the app's metrics token (compose.yaml mounts the secret there).
METRICS_TOKEN_FILE = "/run/secrets/metrics_token"

# ---------------------------------------------------------------------------------------------
# The metric contract: what the app (port 8000) and the workers (port 9808) export.
# name -> (type, label names). Keep in sync with infrastructure/observability/README.md.
CONTRACT: dict[str, tuple[str, frozenset[str]]] = {
    "http_requests_total": ("counter", frozenset({"method", "route", "status"})),
    "http_request_duration_seconds": ("histogram", frozenset({"method", "route"})),
    "http_requests_in_progress": ("gauge", frozenset({"method"})),
    "cache_operations_total": ("counter", frozenset({"result"})),
    "rate_limited_requests_total": ("counter", frozenset({"route"})),
    "jobs_total": ("counter", frozenset({"task", "state"})),
    "job_duration_seconds": ("histogram", frozenset({"task"})),
    "dead_letters_total": ("counter", frozenset({"task"})),
    "job_queue_length": ("gauge", frozenset({"queue"})),
    "db_pool_connections": ("gauge", frozenset({"state"})),
    "sse_connections": ("gauge", frozenset()),
    "app_info": ("gauge", frozenset({"version", "environment"})),
}
# Labels whose values are a closed set: a typo in a matcher ("hits") would match nothing.
LABEL_VALUES: dict[tuple[str, str], frozenset[str]] = {
    ("cache_operations_total", "result"): frozenset({"hit", "miss", "error"}),
    ("jobs_total", "state"): frozenset({"succeeded", "failed", "retried"}),
    ("db_pool_connections", "state"): frozenset({"checked_out", "idle"}),
}
# Prometheus adds these to every scraped series.
TARGET_LABELS = frozenset({"job", "instance"})


def contract_series() -> dict[str, frozenset[str]]:
    """Every series name a query may select, with the labels it carries.

    A histogram `x` is stored as `x_bucket` (with `le`), `x_sum` and `x_count`;
    there is no series called plain `x`. `up` is written by Prometheus itself.
    """
    series = {"up": TARGET_LABELS}
    for name, (kind, labels) in CONTRACT.items():
        if kind == "histogram":
            series[f"{name}_bucket"] = labels | TARGET_LABELS | {"le"}
            series[f"{name}_sum"] = labels | TARGET_LABELS
            series[f"{name}_count"] = labels | TARGET_LABELS
        else:
            series[name] = labels | TARGET_LABELS
    return series


def base_metric(series: str) -> str:
    for suffix in ("_bucket", "_sum", "_count"):
        if series.endswith(suffix) and series.removesuffix(suffix) in CONTRACT:
            return series.removesuffix(suffix)
    return series


# ---------------------------------------------------------------------------------------------
# A small PromQL reader: enough to find every metric selector, its label matchers and the
# labels used in by/without/on/ignoring clauses. It is not a full parser (promtool is, for
# the rules), but it is exact about what matters here: strings, ranges, comments and Grafana
# variables are skipped, so `route="/posts/{post_id}"` or `[$__rate_interval]` never look like
# metric names, and an identifier counts as a metric only if it is not a function, an
# aggregation or a keyword.

# Compact word lists; the formatter would put one per line.
# fmt: off
PROMQL_FUNCTIONS = frozenset({
    "abs", "absent", "absent_over_time", "acos", "acosh", "asin", "asinh", "atan", "atanh",
    "avg_over_time", "ceil", "changes", "clamp", "clamp_max", "clamp_min", "cos", "cosh",
    "count_over_time", "day_of_month", "day_of_week", "day_of_year", "days_in_month", "deg",
    "delta", "deriv", "double_exponential_smoothing", "end", "exp", "floor", "histogram_avg",
    "histogram_count", "histogram_fraction", "histogram_quantile", "histogram_stddev",
    "histogram_stdvar", "histogram_sum", "holt_winters", "hour", "idelta", "increase", "info",
    "irate", "label_join", "label_replace", "last_over_time", "ln", "log10", "log2",
    "mad_over_time", "max_over_time", "min_over_time", "minute", "month", "pi", "predict_linear",
    "present_over_time", "quantile_over_time", "rad", "rate", "resets", "round", "scalar", "sgn",
    "sin", "sinh", "sort", "sort_by_label", "sort_by_label_desc", "sort_desc", "sqrt", "start",
    "stddev_over_time", "stdvar_over_time", "sum_over_time", "tan", "tanh", "time", "timestamp",
    "vector", "year",
})
PROMQL_AGGREGATIONS = frozenset({
    "avg", "bottomk", "count", "count_values", "group", "limit_ratio", "limitk", "max", "min",
    "quantile", "stddev", "stdvar", "sum", "topk",
})
# fmt: on
# Followed by a parenthesised list of LABEL names, not expressions.
PROMQL_LABEL_LIST_KEYWORDS = frozenset(
    {"by", "without", "on", "ignoring", "group_left", "group_right"}
)
PROMQL_KEYWORDS = frozenset({"and", "or", "unless", "atan2", "bool", "offset", "inf", "nan"})

_TOKEN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<comment>\#[^\n]*)
    | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)
    | (?P<variable>\$\{[^}]*\}|\$\w+)
    | (?P<range>\[[^\]]*\])
    | (?P<number>(?:0[xX][0-9a-fA-F]+|\d*\.?\d+(?:[eE][+-]?\d+)?)   # 0.99, 1e-3, 0x1f
                 (?:(?:ms|[smhdwy])(?:\d+(?:ms|[smhdwy]))*)?)           # durations: 5m, 1h30m
    | (?P<ident>[a-zA-Z_:][a-zA-Z0-9_:]*)
    | (?P<lbrace>\{)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_MATCHER = re.compile(
    r"""\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)\s*""",
    re.DOTALL,
)
_CLOSE_BRACE = re.compile(r"\s*\}")


@dataclass
class Selector:
    metric: str | None
    matchers: list[tuple[str, str, str]] = field(default_factory=list)  # (label, op, value)


@dataclass
class PromQL:
    selectors: list[Selector] = field(default_factory=list)
    grouping_labels: set[str] = field(default_factory=set)
    unknown_functions: set[str] = field(default_factory=set)

    @property
    def metrics(self) -> set[str]:
        return {s.metric for s in self.selectors if s.metric}


def _unquote(literal: str) -> str:
    body = literal[1:-1]
    if literal[0] == "`":
        return body  # raw string
    return re.sub(r"\\(.)", r"\1", body)


def _parse_matchers(expr: str, brace: int) -> tuple[list[tuple[str, str, str]], int]:
    """Parse `{label op "value", ...}` starting at the `{`; return matchers and end index."""
    matchers = []
    pos = brace + 1
    while True:
        close = _CLOSE_BRACE.match(expr, pos)
        if close:
            return matchers, close.end()
        m = _MATCHER.match(expr, pos)
        if not m:
            raise ValueError(f"cannot read label matchers at {expr[pos : pos + 30]!r} in {expr!r}")
        matchers.append((m.group(1), m.group(2), _unquote(m.group(3))))
        pos = m.end()
        if expr.startswith(",", pos):
            pos += 1


def parse_promql(expr: str) -> PromQL:
    result = PromQL()
    pos = 0
    while pos < len(expr):
        token = _TOKEN.match(expr, pos)
        assert token is not None  # `other` matches any character
        kind, text, pos = token.lastgroup, token.group(), token.end()
        if kind == "lbrace":  # {__name__="..."} with no metric name in front
            matchers, pos = _parse_matchers(expr, pos - 1)
            name = next((v for label, op, v in matchers if label == "__name__" and op == "="), None)
            result.selectors.append(Selector(name, [m for m in matchers if m[0] != "__name__"]))
            continue
        if kind != "ident":
            continue
        after = len(expr) - len(expr[pos:].lstrip())
        next_char = expr[after : after + 1]
        if text in PROMQL_LABEL_LIST_KEYWORDS:
            if next_char == "(":
                end = expr.index(")", after)
                labels = (label.strip() for label in expr[after + 1 : end].split(","))
                result.grouping_labels.update(label for label in labels if label)
                pos = end + 1
            continue
        if (
            text in PROMQL_FUNCTIONS
            or text in PROMQL_AGGREGATIONS
            or text.lower() in PROMQL_KEYWORDS
        ):
            continue
        if next_char == "(":
            result.unknown_functions.add(text)
            continue
        selector = Selector(text)
        if next_char == "{":
            selector.matchers, pos = _parse_matchers(expr, after)
        result.selectors.append(selector)
    return result


def contract_problems(
    expr: str, extra_series: dict[str, frozenset[str]] | None = None
) -> list[str]:
    """Everything in ``expr`` that does not exist in the metric contract, as readable messages."""
    allowed = contract_series() | (extra_series or {})
    all_labels = set().union(*allowed.values())
    parsed = parse_promql(expr)
    problems = [f"unknown PromQL function {name}()" for name in sorted(parsed.unknown_functions)]
    if not parsed.selectors:
        problems.append("selects no metric at all")
    for selector in parsed.selectors:
        if selector.metric not in allowed:
            problems.append(f"metric {selector.metric!r} is not in the contract")
            continue
        for label, op, value in selector.matchers:
            if label not in allowed[selector.metric]:
                problems.append(f"{selector.metric} has no label {label!r}")
                continue
            known = LABEL_VALUES.get((base_metric(selector.metric), label))
            # Literal values, or a plain alternation such as "hit|miss", must be real values.
            if known and re.fullmatch(r"[\w|]+", value):
                for alternative in value.split("|") if "~" in op else [value]:
                    if alternative not in known:
                        problems.append(f'{selector.metric}{{{label}{op}"{value}"}}: no such value')
    problems += [
        f"grouping by unknown label {label!r}"
        for label in sorted(parsed.grouping_labels - all_labels)
    ]
    return problems


@pytest.mark.parametrize(
    ("expr", "metrics", "grouping"),
    [
        (
            'sum by (route) (rate(http_requests_total{status=~"5.."}[5m]))',
            {"http_requests_total"},
            {"route"},
        ),
        (
            "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket"
            '{route!="/api/v1/posts/{post_id}"}[$__rate_interval])))',
            {"http_request_duration_seconds_bucket"},
            {"le"},
        ),
        (
            "1e-3 * max without (instance) (job_queue_length offset 1h) > bool 0.5  # a comment",
            {"job_queue_length"},
            {"instance"},
        ),
        ('a / on (job) group_left (route) {__name__="b", x="1"}', {"a", "b"}, {"job", "route"}),
        ('absent(up{job="api"}) or vector(0) * Inf', {"up"}, set()),
    ],
)
def test_promql_reader_finds_metrics_and_labels(
    expr: str, metrics: set[str], grouping: set[str]
) -> None:
    parsed = parse_promql(expr)
    assert parsed.metrics == metrics
    assert parsed.grouping_labels == grouping
    assert not parsed.unknown_functions


@pytest.mark.parametrize(
    ("expr", "problem"),
    [
        ("rate(http_request_total[5m])", "'http_request_total' is not in the contract"),
        ("http_request_duration_seconds", "not in the contract"),  # histograms have no bare series
        ('rate(http_requests_total{code="500"}[5m])', "has no label 'code'"),
        ('rate(cache_operations_total{result=~"hit|misses"}[5m])', "no such value"),
        ("sum by (status_code) (rate(http_requests_total[5m]))", "unknown label 'status_code'"),
        ("histogram_quantlie(0.9, x_bucket)", "unknown PromQL function histogram_quantlie()"),
    ],
)
def test_contract_check_catches_mistakes(expr: str, problem: str) -> None:
    assert any(problem in found for found in contract_problems(expr))


# ---------------------------------------------------------------------------------------------
# Rules


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def rules() -> list[dict[str, Any]]:
    return [rule for group in load_yaml(RULES_FILE)["groups"] for rule in group["rules"]]


def alerts() -> list[dict[str, Any]]:
    return [rule for rule in rules() if "alert" in rule]


def recorded_series() -> dict[str, frozenset[str]]:
    """Series written by our recording rules; they keep only the labels they aggregate by."""
    return {rule["record"]: TARGET_LABELS for rule in rules() if "record" in rule}


def github_anchor(heading: str) -> str:
    """The #fragment GitHub generates for a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_rules_use_only_contract_metrics() -> None:
    problems = {
        rule.get("alert") or rule["record"]: found
        for rule in rules()
        if (found := contract_problems(rule["expr"], recorded_series()))
    }
    assert problems == {}


def test_recording_rules_follow_the_naming_convention() -> None:
    # level:metric:operations (https://prometheus.io/docs/practices/rules/)
    for name in recorded_series():
        assert re.fullmatch(r"[a-z_]+:[a-z0-9_]+:[a-z0-9_]+", name), name


def test_every_alert_is_actionable() -> None:
    anchors = {
        github_anchor(line.lstrip("#"))
        for line in RUNBOOK.read_text().splitlines()
        if line.startswith("## ")
    }
    for alert in alerts():
        name = alert["alert"]
        assert alert.get("for"), f"{name}: no `for`, a single bad scrape would notify"
        assert alert["labels"]["severity"] in {"critical", "warning"}, name
        annotations = alert["annotations"]
        for key in ("summary", "description", "runbook_url"):
            assert annotations.get(key), f"{name}: missing annotation {key}"
        url, _, anchor = annotations["runbook_url"].partition("#")
        assert url.endswith("infrastructure/observability/RUNBOOK.md"), name
        assert anchor == name.lower(), f"{name}: runbook link should end in #{name.lower()}"
        assert anchor in anchors, f"{name}: no section in RUNBOOK.md"
    # ... and the runbook has no section for an alert that no longer exists.
    assert anchors == {alert["alert"].lower() for alert in alerts()}


def test_alert_thresholds_match_the_targets() -> None:
    """The numbers agreed for this service, so a change to one is a deliberate change."""
    exprs = {(a["alert"], a["labels"]["severity"]): " ".join(a["expr"].split()) for a in alerts()}
    assert exprs[("ApiHighErrorRate", "critical")].endswith("> 0.01")
    assert exprs[("ApiHighErrorRate", "warning")].endswith("> 0.005")
    assert exprs[("ApiHighLatency", "critical")].endswith("> 1")
    assert exprs[("ApiHighLatency", "warning")].endswith("> 0.5")
    assert exprs[("CacheHitRateLow", "warning")].endswith("< 0.7")
    assert exprs[("JobQueueBacklog", "warning")].endswith("> 1000")
    assert exprs[("InstanceDown", "critical")] == 'up{job=~"api|worker"} == 0'
    # SRE workbook burn rates for a 99.9% SLO: (long window, short window, burn rate).
    burn = {
        "ApiErrorBudgetBurnFast": ("1h", "5m", "14.4"),
        "ApiErrorBudgetBurnMedium": ("6h", "30m", "6"),
        "ApiErrorBudgetBurnSlow": ("3d", "6h", "1"),
    }
    for name, (long, short, rate) in burn.items():
        severity = "warning" if name.endswith("Slow") else "critical"
        assert exprs[(name, severity)] == (
            f"job:http_request_error_ratio:rate{long} > ({rate} * 0.001) and "
            f"job:http_request_error_ratio:rate{short} > ({rate} * 0.001)"
        )


def test_unit_tests_cover_every_alert_both_ways() -> None:
    """Each alert must be shown firing AND quiet, and warning without critical.

    promtool only runs the cases that exist; this makes sure they exist.
    """
    fired: dict[str, list[set[str]]] = {}  # alertname -> severities firing, per test case
    quiet: set[str] = set()
    for path in RULE_TESTS:
        for group in load_yaml(path)["tests"]:
            for case in group.get("alert_rule_test", []):
                expected = case.get("exp_alerts") or []
                if not expected:
                    quiet.add(case["alertname"])
                else:
                    severities = {a["exp_labels"]["severity"] for a in expected}
                    fired.setdefault(case["alertname"], []).append(severities)
    severities_by_alert: dict[str, set[str]] = {}
    for alert in alerts():
        severities_by_alert.setdefault(alert["alert"], set()).add(alert["labels"]["severity"])
    for name, severities in severities_by_alert.items():
        assert name in quiet, f"{name}: no test shows it staying quiet"
        assert name in fired, f"{name}: no test shows it firing"
        assert set().union(*fired[name]) == severities, f"{name}: a severity never fires"
        if len(severities) > 1:
            # e.g. 0.7% errors: the warning fires, the critical does not.
            assert any(s < severities for s in fired[name]), f"{name}: no warning-only case"


def test_prometheus_config_loads_the_rules() -> None:
    config = load_yaml(PROMETHEUS_CONFIG)
    assert config["rule_files"] == ["rules/*.yml"]
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    # The names the alerts (up{job=~"api|worker"}) and the runbook rely on.
    assert {"api", "worker"} <= set(jobs)
    assert jobs["api"]["dns_sd_configs"][0]["port"] == 8000
    assert jobs["worker"]["dns_sd_configs"][0]["port"] == 9808
    # Production refuses to serve /metrics anonymously: the api job sends the token, read from
    # the file compose.yaml mounts (the app's APP_METRICS_BEARER_TOKEN), never written here.
    assert jobs["api"]["authorization"] == {
        "type": "Bearer", "credentials_file": METRICS_TOKEN_FILE,
    }  # fmt: skip
    assert "credentials" not in jobs["api"]["authorization"]


def test_deployments_serve_metrics_where_prometheus_scrapes() -> None:
    """The jobs' ports, the app's default and the Helm chart's ports are one contract."""
    from reference_app.task_queue.observability import DEFAULT_WORKER_METRICS_PORT

    jobs = {job["job_name"]: job for job in load_yaml(PROMETHEUS_CONFIG)["scrape_configs"]}
    chart = load_yaml(REPO_ROOT / "infrastructure" / "helm" / "reference-app" / "values.yaml")
    assert jobs["api"]["dns_sd_configs"][0]["port"] == chart["api"]["containerPort"]
    worker_port = jobs["worker"]["dns_sd_configs"][0]["port"]
    assert worker_port == chart["worker"]["metricsPort"] == DEFAULT_WORKER_METRICS_PORT
    # The path the chart's prometheus.io/path annotation advertises for both.
    assert jobs["api"]["metrics_path"] == jobs["worker"]["metrics_path"] == chart["metrics"]["path"]


# ---------------------------------------------------------------------------------------------
# promtool


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    binary = require_tool("promtool", INSTALL_HINT)
    # cwd: relative paths in the files (rule_files, ../rules) resolve as in the docs.
    return subprocess.run(
        [binary, *args],
        cwd=PROMETHEUS_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_promtool_check_config(tmp_path: Path) -> None:
    # promtool also checks that every file the config names exists: the rule files, and the
    # token file, which only exists where the secret is mounted. So the syntax of the real
    # file is checked as it is, and the full check runs on a copy whose token file exists.
    syntax = promtool("check", "config", "--syntax-only", "prometheus.yml")
    assert syntax.returncode == 0, syntax.stdout + syntax.stderr
    token_file = tmp_path / "metrics_token"
    token_file.write_text(secrets.token_urlsafe(32))
    config = load_yaml(PROMETHEUS_CONFIG)
    config["rule_files"] = [str(PROMETHEUS_DIR / pattern) for pattern in config["rule_files"]]
    for job in config["scrape_configs"]:
        if "authorization" in job:
            assert job["authorization"]["credentials_file"] == METRICS_TOKEN_FILE
            job["authorization"]["credentials_file"] = str(token_file)
    copy = tmp_path / "prometheus.yml"
    copy.write_text(yaml.safe_dump(config, sort_keys=False))
    # Also checks every rule file the config loads.
    result = promtool("check", "config", str(copy))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 rule files found" in result.stdout


def test_promtool_check_rules() -> None:
    result = promtool("check", "rules", str(RULES_FILE.relative_to(PROMETHEUS_DIR)))
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_rule_unit_tests() -> None:
    assert RULE_TESTS, "no rule unit tests found"
    result = promtool("test", "rules", *(str(p.relative_to(PROMETHEUS_DIR)) for p in RULE_TESTS))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("SUCCESS") == len(RULE_TESTS), result.stdout


# ---------------------------------------------------------------------------------------------
# Grafana


def dashboard() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text())


def panels() -> list[dict[str, Any]]:
    found = []
    for panel in dashboard()["panels"]:
        found.append(panel)
        found.extend(panel.get("panels", []))  # panels inside collapsed rows
    return found


def dashboard_exprs() -> list[tuple[str, str]]:
    return [
        (panel["title"], target["expr"])
        for panel in panels()
        for target in panel.get("targets", [])
        if "expr" in target
    ]


def test_dashboard_uses_only_contract_metrics() -> None:
    problems = {
        f"{title}: {expr}": found
        for title, expr in dashboard_exprs()
        if (found := contract_problems(expr))
    }
    assert problems == {}


def test_dashboard_queries_are_valid_promql(tmp_path: Path) -> None:
    """Grafana only reports a broken query when someone opens the panel; promtool now.

    promtool has no "check this query" command, so each query becomes a recording rule in a
    throwaway rule file, which `promtool check rules` parses. Grafana's variables are replaced
    by the kind of value Grafana would put there.
    """
    grafana_variables = {"$__rate_interval": "1m", "$__interval": "15s", "$__range": "1h"}
    rules_for_check = []
    for number, (_, expr) in enumerate(dashboard_exprs()):
        for variable, value in grafana_variables.items():
            expr = expr.replace(variable, value)
        assert "$" not in expr, f"unhandled Grafana variable in {expr}"
        rules_for_check.append({"record": f"dashboard_query_{number}", "expr": expr})
    rule_file = tmp_path / "dashboard_queries.yml"
    rule_file.write_text(
        yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules_for_check}]})
    )
    result = promtool("check", "rules", str(rule_file))
    assert result.returncode == 0, result.stdout + result.stderr


def test_dashboard_shows_every_contract_metric() -> None:
    used = {base_metric(m) for _, expr in dashboard_exprs() for m in parse_promql(expr).metrics}
    assert set(CONTRACT) - used == set()


def test_dashboard_panels_are_well_formed() -> None:
    board = dashboard()
    ids = [panel["id"] for panel in panels()]
    assert len(ids) == len(set(ids)), "duplicate panel ids"
    variables = {v["name"]: v for v in board["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    for panel in panels():
        if panel["type"] == "row":
            continue
        assert panel.get("description"), f"{panel['title']}: say what the reader sees"
        assert panel["targets"], panel["title"]
        # Every query goes through the data source variable: the dashboard works with
        # whatever the Prometheus data source is called where it is imported.
        for target in [panel, *panel["targets"]]:
            assert target["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        refs = [t["refId"] for t in panel["targets"]]
        assert len(refs) == len(set(refs)), panel["title"]


def test_grafana_provisioning_matches_the_dashboard() -> None:
    datasources = load_yaml(GRAFANA_DATASOURCES)["datasources"]
    (prometheus,) = [ds for ds in datasources if ds["type"] == "prometheus"]
    assert prometheus["isDefault"] is True
    # The dashboard variable's default points at the provisioned uid.
    variable = next(v for v in dashboard()["templating"]["list"] if v["name"] == "datasource")
    assert variable["current"]["value"] == prometheus["uid"]
    (provider,) = load_yaml(GRAFANA_PROVIDERS)["providers"]
    assert provider["type"] == "file"
    # Where the README tells Compose to mount grafana/dashboards/.
    assert provider["options"]["path"] == "/etc/grafana/dashboards"
    assert "/etc/grafana/dashboards" in (OBSERVABILITY / "README.md").read_text()


# ---------------------------------------------------------------------------------------------
# A real scrape: the app, a real Prometheus, our rules, on loopback ports.

T = TypeVar("T")
APP_START_TIMEOUT = 45.0  # importing the app and running migrations on a cold machine
PROMETHEUS_START_TIMEOUT = 30.0
SCRAPE_TIMEOUT = 20.0  # many 1s scrape and evaluation intervals


def free_port() -> int:
    """A port nothing listens on right now (the OS picks it; tiny race, fine for tests)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tail(path: Path, lines: int = 30) -> str:
    text = path.read_text(errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


@contextlib.contextmanager
def running(cmd: list[str], log: Path, **popen: Any) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``cmd`` in the background, output to ``log``; always stopped on exit."""
    with log.open("wb") as out:
        process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, **popen)
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def wait_for(
    what: str,
    probe: Callable[[], T | None],
    timeout: float,
    process: subprocess.Popen[bytes] | None = None,
    log: Path | None = None,
) -> T:
    """Call ``probe`` until it returns something other than None; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            pytest.fail(f"process exited ({process.returncode}) while waiting for {what}:\n"
                        f"{tail(log) if log else ''}")  # fmt: skip
        with contextlib.suppress(httpx.HTTPError):
            value = probe()
            if value is not None:
                return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}\n"
                        f"{tail(log) if log else ''}")  # fmt: skip
        time.sleep(0.25)


def status_ok(url: str) -> bool | None:
    return True if httpx.get(url, timeout=2).status_code == 200 else None


class PrometheusAPI:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def query(self, promql: str) -> list[dict[str, Any]]:
        response = httpx.get(f"{self.base_url}/api/v1/query", params={"query": promql}, timeout=5)
        response.raise_for_status()
        body = response.json()
        assert body["status"] == "success", body
        return list(body["data"]["result"])

    def scalar(self, promql: str) -> float | None:
        """Value of a one-series query, or None while Prometheus has no data for it."""
        result = self.query(promql)
        return float(result[0]["value"][1]) if result else None


def test_prometheus_scrapes_the_app_and_evaluates_the_rules(tmp_path: Path) -> None:
    prometheus = require_tool("prometheus", INSTALL_HINT)
    app_port, prometheus_port = free_port(), free_port()
    app_url = f"http://127.0.0.1:{app_port}"

    # The app's own test configuration: SQLite in the temp dir, in-memory cache, no rate
    # limits (the test sends bursts). APP_* variables from the caller's shell are dropped and
    # cwd is the temp dir (no stray .env), so the run does not depend on the machine.
    # /metrics is protected as in production: Prometheus reads the token from a file.
    metrics_token = secrets.token_urlsafe(32)
    token_file = tmp_path / "metrics_token"
    token_file.write_text(metrics_token)
    env = {k: v for k, v in os.environ.items() if not k.startswith("APP_")}
    env |= {
        "APP_ENVIRONMENT": "test",
        "APP_SECRET_KEY": secrets.token_urlsafe(48),
        "APP_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}",
        "APP_AUTO_MIGRATE": "true",
        "APP_RATE_LIMIT_ENABLED": "false",
        "APP_METRICS_BEARER_TOKEN": metrics_token,
    }
    app_cmd = [
        *(sys.executable, "-m", "uvicorn", "--factory", "reference_app.main:create_app"),
        *("--host", "127.0.0.1", "--port", str(app_port), "--log-level", "warning"),
    ]
    app_log = tmp_path / "app.log"

    # Prometheus with our real rules and the real api job's authorization (its token file
    # moved to the temp dir), scraping every second so the test is quick.
    # JSON is valid YAML, so the config is written with json.dumps.
    jobs = {job["job_name"]: job for job in load_yaml(PROMETHEUS_CONFIG)["scrape_configs"]}
    authorization = {**jobs["api"]["authorization"], "credentials_file": str(token_file)}
    config = {
        "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(RULES_FILE)],
        "scrape_configs": [
            {
                "job_name": "api",
                "static_configs": [{"targets": [f"127.0.0.1:{app_port}"]}],
                "authorization": authorization,
            }
        ],
    }
    config_file = tmp_path / "prometheus.yml"
    config_file.write_text(json.dumps(config, indent=2))
    prometheus_cmd = [
        prometheus,
        f"--config.file={config_file}",
        f"--storage.tsdb.path={tmp_path / 'tsdb'}",
        f"--web.listen-address=127.0.0.1:{prometheus_port}",
        "--log.level=warn",
    ]
    prometheus_log = tmp_path / "prometheus.log"
    api = PrometheusAPI(f"http://127.0.0.1:{prometheus_port}")

    with running(app_cmd, app_log, env=env, cwd=tmp_path) as app:
        wait_for("the app to answer", lambda: status_ok(f"{app_url}/api/v1/health/live"),
                 APP_START_TIMEOUT, app, app_log)  # fmt: skip

        bearer = {"Authorization": f"Bearer {metrics_token}"}
        metrics = httpx.get(f"{app_url}/metrics", headers=bearer, timeout=5)
        if metrics.status_code == 404:
            pytest.fail("GET /metrics returned 404: the app does not export its metrics yet. "
                        "It must serve the contract in infrastructure/observability/README.md "
                        "(prometheus-client text format) at /metrics on the API port.",
                        pytrace=False)  # fmt: skip
        assert metrics.status_code == 200, (
            f"GET /metrics with the token: {metrics.status_code}. Prometheus sends "
            "APP_METRICS_BEARER_TOKEN as a bearer token and must be let in."
        )
        assert metrics.headers["content-type"].startswith("text/plain"), metrics.headers
        anonymous = httpx.get(f"{app_url}/metrics", timeout=5)
        assert anonymous.status_code == 401, "with a token configured, /metrics is not public"

        with running(prometheus_cmd, prometheus_log, cwd=tmp_path) as server:
            wait_for("Prometheus to be ready", lambda: status_ok(f"{api.base_url}/-/ready"),
                     PROMETHEUS_START_TIMEOUT, server, prometheus_log)  # fmt: skip

            def wait_value(what: str, promql: str, accept: Callable[[float], bool]) -> float:
                return wait_for(
                    what,
                    lambda: v if (v := api.scalar(promql)) is not None and accept(v) else None,
                    SCRAPE_TIMEOUT, server, prometheus_log,
                )  # fmt: skip

            wait_value("the app target to be up", 'up{job="api"}', lambda v: v == 1)

            live = 'sum(http_requests_total{job="api", route="/api/v1/health/live"})'
            missing_post = str(uuid.uuid4())
            for _ in range(3):
                httpx.get(f"{app_url}/api/v1/health/live", timeout=5)
                httpx.get(f"{app_url}/api/v1/posts/{missing_post}", timeout=5)
            before = wait_value("the request counter to be scraped", live, lambda v: v >= 3)
            for _ in range(5):
                httpx.get(f"{app_url}/api/v1/health/live", timeout=5)
            wait_value("the request counter to increase", live, lambda v: v >= before + 5)

            # Routes are templates: one series for every post, not one per id (cardinality).
            posts = api.query('http_requests_total{job="api", route=~"/api/v1/posts/.+"}')
            assert {s["metric"]["route"] for s in posts} == {"/api/v1/posts/{post_id}"}, posts
            assert not api.query(f'http_requests_total{{route=~".*{missing_post}.*"}}')
            statuses = {s["metric"]["status"] for s in api.query("http_requests_total")}
            assert all(re.fullmatch(r"[1-5]\d\d", s) for s in statuses), statuses
            count = 'sum(http_request_duration_seconds_count{job="api"})'
            wait_value("request durations", count, lambda v: v > 0)
            info = api.query('app_info{job="api"}')
            assert [s["value"][1] for s in info] == ["1"], info

            # The rules ran against real data: any evaluation error (a bad match, a label
            # clash) shows as health "err". Wait for one evaluation of every rule first.
            def rule_states() -> list[dict[str, Any]] | None:
                response = httpx.get(f"{api.base_url}/api/v1/rules", timeout=5)
                groups = response.json()["data"]["groups"]
                states = [rule for group in groups for rule in group["rules"]]
                evaluated = all(not r["lastEvaluation"].startswith("0001") for r in states)
                return states if states and evaluated else None

            states = wait_for("every rule to be evaluated", rule_states, SCRAPE_TIMEOUT,
                              server, prometheus_log)  # fmt: skip
            assert len(states) == len(rules())
            errors = {r["name"]: r.get("lastError") for r in states if r["health"] != "ok"}
            assert errors == {}
