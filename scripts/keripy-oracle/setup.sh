#!/usr/bin/env bash
# Prepares the keripy 1.3.6 oracle used by scripts/differential.mjs (development only).
#
# keripy needs Python packages that are not all in Debian; this script uses Debian's for the
# compiled ones (lmdb, cryptography, libsodium through pysodium) and Debian's own python3, pure-Python sources for keripy
# itself and hio, and builds the BLAKE3 team's C library for the `blake3` module keripy imports.
#
# Sources come from local checkouts when given (KERIPY_SRC, HIO_SRC, BLAKE3_SRC: git directories
# or work trees), otherwise they are cloned from GitHub. Everything lands in $ORACLE_HOME
# (default .keripy-oracle/ at the repository root, which git ignores).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
home="${ORACLE_HOME:-$root/.keripy-oracle}"
mkdir -p "$home"

packages=(python3 python3-lmdb python3-msgpack python3-cbor2 python3-pysodium python3-semver
  python3-ordered-set python3-cryptography python3-multidict python3-falcon libsodium23 gcc git)
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get install -y "${missing[@]}"
fi

# export PATH of SOURCE (git dir or work tree, or a URL to clone) at REF into DEST
export_tree() {
  local source="$1" ref="$2" dest="$3" path="$4"
  rm -rf "$dest" && mkdir -p "$dest"
  if [[ -z "$source" ]]; then
    echo "no source for $dest" >&2
    return 1
  fi
  if [[ "$source" == https://* ]]; then
    git clone --quiet --depth 1 --branch "$ref" "$source" "$dest"
  else
    git --git-dir="$(git -C "$source" rev-parse --absolute-git-dir 2>/dev/null || echo "$source")" \
      archive "$ref" "$path" | tar x -C "$dest"
  fi
}

export_tree "${KERIPY_SRC:-https://github.com/WebOfTrust/keripy}" 1.3.6 "$home/keripy" src
export_tree "${HIO_SRC:-https://github.com/ioflo/hio}" v0.6.19 "$home/hio" src
export_tree "${BLAKE3_SRC:-https://github.com/BLAKE3-team/BLAKE3}" "${BLAKE3_REF:-HEAD}" "$home/blake3" c

# The portable C code only: speed does not matter here, and it builds anywhere.
gcc -O2 -shared -fPIC -o "$home/libblake3.so" \
  "$home/blake3/c/blake3.c" "$home/blake3/c/blake3_dispatch.c" "$home/blake3/c/blake3_portable.c" \
  -DBLAKE3_NO_SSE2 -DBLAKE3_NO_SSE41 -DBLAKE3_NO_AVX2 -DBLAKE3_NO_AVX512

cat >"$home/env" <<ENV
KESTREL_ORACLE_PYTHON=/usr/bin/python3
PYTHONPATH=$home/keripy/src:$home/hio/src:$here
KESTREL_BLAKE3_LIBRARY=$home/libblake3.so
ENV
echo "keripy oracle ready in $home"
