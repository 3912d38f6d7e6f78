#!/usr/bin/env bash
# Creates a SoftHSM2 token for the PKCS#11 tests (packages/keystore/test/pkcs11.test.ts) and
# for trying hardware-backed keys locally, installing SoftHSM2 first if it is missing.
#
#   eval "$(scripts/softhsm-setup.sh [path/to/softhsm2.conf])"
#
# The configuration (default: softhsm2.conf in a new temporary directory) gets its own token
# directory next to it, so the system's tokens (/etc/softhsm/softhsm2.conf) are never touched.
# Running it again with the same configuration and label reuses the token.
#
# Environment (defaults are for tests only):
#   KESTREL_SOFTHSM_LABEL   token label        (kestrel-test)
#   KESTREL_SOFTHSM_PIN     user PIN           (1234)
#   KESTREL_SOFTHSM_SO_PIN  security officer PIN (12345678)
#
# Prints on stdout, for eval: SOFTHSM2_CONF, KESTREL_PKCS11_MODULE (the library path) and
# KESTREL_SOFTHSM_LABEL. The PINs are not printed. Progress and errors go to stderr.
set -euo pipefail

label="${KESTREL_SOFTHSM_LABEL:-kestrel-test}"
pin="${KESTREL_SOFTHSM_PIN:-1234}"
so_pin="${KESTREL_SOFTHSM_SO_PIN:-12345678}"

log() { printf 'softhsm-setup: %s\n' "$*" >&2; }
fail() {
  log "error: $*"
  exit 1
}

install_softhsm() {
  command -v apt-get >/dev/null || fail "softhsm2-util is missing and apt-get is not available: install SoftHSM2 (https://github.com/softhsm/SoftHSMv2)"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || fail "installing softhsm2 needs root (or sudo)"
    sudo=(sudo)
  fi
  log "installing softhsm2 with apt-get"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends softhsm2 >/dev/null
}

find_module() {
  local candidate
  if [ -n "${KESTREL_PKCS11_MODULE:-}" ]; then
    [ -f "$KESTREL_PKCS11_MODULE" ] || fail "KESTREL_PKCS11_MODULE=$KESTREL_PKCS11_MODULE does not exist"
    printf '%s\n' "$KESTREL_PKCS11_MODULE"
    return
  fi
  # Debian and Ubuntu ship it here (a link into the multiarch directory); others vary.
  for candidate in /usr/lib/softhsm/libsofthsm2.so /usr/local/lib/softhsm/libsofthsm2.so /usr/lib64/softhsm/libsofthsm2.so; do
    if [ -f "$candidate" ]; then
      printf '%s\n' "$candidate"
      return
    fi
  done
  candidate="$(find /usr/lib /usr/lib64 /usr/local/lib -name libsofthsm2.so 2>/dev/null | head -n 1 || true)"
  [ -n "$candidate" ] || fail "libsofthsm2.so not found under /usr/lib, /usr/lib64 or /usr/local/lib; set KESTREL_PKCS11_MODULE"
  printf '%s\n' "$candidate"
}

# Whether the configured SoftHSM has an initialised token with exactly this label.
has_token() {
  softhsm2-util --show-slots 2>/dev/null | awk -v want="$label" '
    /^[[:space:]]*Label:/ { sub(/^[[:space:]]*Label:[[:space:]]*/, ""); sub(/[[:space:]]+$/, ""); if ($0 == want) found = 1 }
    END { exit found ? 0 : 1 }'
}

command -v softhsm2-util >/dev/null || install_softhsm
command -v softhsm2-util >/dev/null || fail "softhsm2-util is still missing after installing softhsm2"
module="$(find_module)"

if [ "$#" -ge 1 ]; then
  conf="$1"
else
  conf="$(mktemp -d "${TMPDIR:-/tmp}/kestrel-softhsm.XXXXXX")/softhsm2.conf"
fi
mkdir -p "$(dirname "$conf")"
conf_dir="$(cd "$(dirname "$conf")" && pwd)"
conf="$conf_dir/$(basename "$conf")"
token_dir="$conf_dir/tokens"
mkdir -p "$token_dir"
chmod 700 "$token_dir"

if [ ! -f "$conf" ]; then
  cat >"$conf" <<EOF
# SoftHSM2 configuration written by scripts/softhsm-setup.sh
directories.tokendir = $token_dir
objectstore.backend = file
log.level = ERROR
slots.removable = false
EOF
fi
export SOFTHSM2_CONF="$conf"

if has_token; then
  log "reusing token '$label' in $token_dir"
else
  log "initialising token '$label' in $token_dir"
  # The PINs are on the command line, visible to other local users for a moment: test tokens only.
  softhsm2-util --init-token --free --label "$label" --pin "$pin" --so-pin "$so_pin" >/dev/null
fi

printf 'export SOFTHSM2_CONF=%q\n' "$conf"
printf 'export KESTREL_PKCS11_MODULE=%q\n' "$module"
printf 'export KESTREL_SOFTHSM_LABEL=%q\n' "$label"
