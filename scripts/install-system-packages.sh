#!/usr/bin/env bash
# Installs the system packages the test suite talks to, when they are missing:
#   softhsm2   the PKCS#11 token for the hardware-signer tests
# Uses apt-get (Debian/Ubuntu), through sudo when not root. Already-installed packages are skipped,
# so running it again is cheap.
set -euo pipefail

log() { printf 'install-system-packages: %s\n' "$*" >&2; }

missing=()
command -v softhsm2-util >/dev/null || missing+=(softhsm2)

if [ "${#missing[@]}" -eq 0 ]; then
  log "nothing to install"
  exit 0
fi
command -v apt-get >/dev/null || { log "error: missing ${missing[*]} and apt-get is not available"; exit 1; }
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { log "error: installing ${missing[*]} needs root (or sudo)"; exit 1; }
  sudo=(sudo)
fi
log "installing ${missing[*]}"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
