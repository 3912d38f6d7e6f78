#!/usr/bin/python3
"""Writes packages/cesr/test/fixtures/serialization.json: key event field maps serialized as JSON,
CBOR and MGPK the way keripy does it (json.dumps compact, cbor2.dumps, msgpack.dumps), with the
version string's size filled in. Run with Debian's python3 and its python3-cbor2 and
python3-msgpack packages (apt-get install python3-cbor2 python3-msgpack); Kestrel's tests check
that its own serializers produce the same bytes."""
import json, sys
import cbor2, msgpack

DUMMY = '#' * 44
KEY = 'DIfEC5oc2TNfcpQHXzbjkgrJJSW-dCVjHqvPZoQnp6ss'
DIG = 'EMmXEJEFDZnqhWPJmzaTcRk-j9Ywv2slhv_aHtOyvyYf'
sads = [
    dict(v='', t='icp', d=DUMMY, i=DUMMY, s='0', kt='1', k=[KEY], nt='1', n=[DIG], bt='0', b=[], c=[], a=[]),
    dict(v='', t='rot', d=DUMMY, i=DIG, s='1a', p=DIG, kt=['1/2', '1/2', '1/2'], k=[KEY, KEY, KEY], nt=[['1/2', '1/2'], ['1']],
         n=[DIG, DIG, DIG], bt='2', br=[], ba=['BNwkpV0X84G0mMpsJjYbS9i-oRYQVq25n583UdDBISqr'], a=[]),
    dict(v='', t='ixn', d=DUMMY, i=DIG, s='ff', p=DIG, a=[dict(i=DIG, s='0', d=DIG), dict(d=DIG, note='ünïcödé ✓', n=70000, neg=-3)]),
]
dumps = {
    'JSON': lambda sad: json.dumps(sad, separators=(',', ':'), ensure_ascii=False).encode('utf-8'),
    'CBOR': cbor2.dumps,
    'MGPK': msgpack.dumps,
}
out = []
for sad in sads:
    for kind, dump in dumps.items():
        sad = dict(sad)
        sad['v'] = 'KERI10%s000000_' % kind
        size = len(dump(sad))
        sad['v'] = 'KERI10%s%06x_' % (kind, size)
        raw = dump(sad)
        assert len(raw) == size
        out.append(dict(kind=kind, sad=sad, hex=raw.hex()))
json.dump(dict(generator='scripts/serialization-fixtures.py', python=sys.version.split()[0], cbor2=cbor2.__version__ if hasattr(cbor2, '__version__') else 'debian', msgpack='.'.join(map(str, msgpack.version)), fixtures=out),
          open('packages/cesr/test/fixtures/serialization.json', 'w'), indent=1, ensure_ascii=False)
print(len(out), 'fixtures')
