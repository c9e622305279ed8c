#!/usr/bin/env bash
# Debian/Ubuntu packages the checks need: a Chromium-family browser (browser checks of the built
# book and of the app's /docs), shellcheck (used by actionlint on workflow scripts), wrk (the
# benchmark) and redis-server (fault tests start a private one). Installs only what is missing,
# as root or through sudo (GitHub's runners have passwordless sudo).
#
# A browser already present under another name counts: GitHub's Ubuntu runners ship Google
# Chrome and Chromium, and Ubuntu's `chromium` package is only a wrapper that installs a snap.
set -euo pipefail

has_browser() {
    local name
    for name in chromium chromium-browser google-chrome google-chrome-stable; do
        command -v "$name" >/dev/null 2>&1 && return 0
    done
    return 1
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "need root (or sudo) to run: $*" >&2
        exit 1
    fi
}

needed=()
has_browser || needed+=(chromium)
command -v shellcheck >/dev/null 2>&1 || needed+=(shellcheck)
command -v wrk >/dev/null 2>&1 || needed+=(wrk)
command -v redis-server >/dev/null 2>&1 || needed+=(redis-server)
if [ ${#needed[@]} -gt 0 ]; then
    as_root apt-get update -qq
    # Packages only, no services: redis-server's package would start a system Redis on 6379,
    # the port the CI workflow's Redis container (or the machine's own Redis) already holds.
    # policy-rc.d answering 101 ("action forbidden") is Debian's switch for that.
    policy=/usr/sbin/policy-rc.d
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
        as_root chmod +x "$policy"
        trap 'as_root rm -f "$policy"' EXIT
    fi
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${needed[@]}"
fi
echo "system tools: browser shellcheck wrk redis-server present"
