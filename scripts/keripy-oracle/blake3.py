"""
Stand-in for the `blake3` Python package, which keripy imports, for the development oracle only:
the BLAKE3 team's portable C implementation (built by setup.sh) through ctypes. It covers what
keripy calls: blake3(data).digest(length=...).
"""
import ctypes
import os

_library = ctypes.CDLL(os.environ['KESTREL_BLAKE3_LIBRARY'])
_HASHER_BYTES = 4096  # sizeof(blake3_hasher) is 1,912 on 64-bit builds; room to spare


class blake3:
    def __init__(self, data=b'', max_threads=1, usedforsecurity=True):
        self._hasher = ctypes.create_string_buffer(_HASHER_BYTES)
        _library.blake3_hasher_init(self._hasher)
        if data:
            self.update(data)

    def update(self, data):
        chunk = bytes(data)
        _library.blake3_hasher_update(self._hasher, chunk, ctypes.c_size_t(len(chunk)))
        return self

    def digest(self, length=32):
        out = ctypes.create_string_buffer(length)
        _library.blake3_hasher_finalize(self._hasher, out, ctypes.c_size_t(length))
        return out.raw

    def hexdigest(self, length=32):
        return self.digest(length).hex()
