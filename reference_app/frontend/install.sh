#!/usr/bin/env bash
# Install the frontend's dependencies exactly as locked (pnpm-lock.yaml), for its tests and
# build. Meant to be called from the workbook's .ci/install.sh, and by hand on a fresh checkout:
#
#   bash reference_app/frontend/install.sh
#
# - Node.js >= 20.9 must be on PATH (Next.js 16's minimum).
# - pnpm runs through npx at the version package.json pins (packageManager): no global install,
#   and corepack is not needed (it cannot fetch pnpm on machines that reach only the registry).
# - No browser download: Playwright drives the system's Chromium (.ci/install_system_tools.sh
#   installs Debian's; set CHROMIUM_PATH to use another).
set -euo pipefail
cd "$(dirname "$0")"

# shellcheck disable=SC2016  # JavaScript, not shell: the template literal is node's
node -e '
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 20 || (major === 20 && minor < 9)) {
  console.error(`Node.js >= 20.9 is needed, found ${process.versions.node}`);
  process.exit(1);
}'

pnpm_spec="$(node -p 'require("./package.json").packageManager')"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 NEXT_TELEMETRY_DISABLED=1
npx --yes "${pnpm_spec}" install --frozen-lockfile

if ! command -v chromium >/dev/null 2>&1 && [[ -z "${CHROMIUM_PATH:-}" ]]; then
    echo "note: no chromium on PATH; the end-to-end tests need it (or CHROMIUM_PATH)" >&2
fi
