#!/usr/bin/env bash
# Debian packages the checks need: Chromium (browser check of the built book), shellcheck (used
# by actionlint on workflow scripts), wrk (the benchmark) and redis-server (fault tests start a
# private one). Installs only what is missing.
set -euo pipefail
needed=()
command -v chromium >/dev/null 2>&1 || needed+=(chromium)
command -v shellcheck >/dev/null 2>&1 || needed+=(shellcheck)
command -v wrk >/dev/null 2>&1 || needed+=(wrk)
command -v redis-server >/dev/null 2>&1 || needed+=(redis-server)
if [ ${#needed[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "missing Debian packages: ${needed[*]} (run: sudo apt-get install ${needed[*]})" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${needed[@]}"
fi
echo "system tools: chromium shellcheck wrk redis-server present"
