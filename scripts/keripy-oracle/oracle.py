"""
A keripy 1.3.6 oracle for differential testing (development only; CI never runs it).

Runs keripy's own validator the way the conformance corpus was produced (see
test/vectors/keripy-1.3.6/README.md): a fresh, promiscuous, remote Kevery (lax=True, local=False)
in a temporary database parses the whole stream, then escrows are processed until nothing changes
(at most ten passes). It prints what keripy concluded in the corpus's expected.json shape.

Requests come one per line on stdin as JSON: {"stream": "<path>", "events": [{"prefix", "sn",
"ilk", "said"}, ...], "eager": false} where events are the stream's key events as the caller
framed them (keripy's databases cannot say where an event it dropped went). With "eager", keripy
parses one message at a time and processes its escrows after each (see judge), and a result
says where keripy's parser gave up on the stream, if it did ("stoppedAt", a byte offset), and,
when it gave up right after a body it took off the stream by its claimed size and then refused,
where that body began ("rejectedBodyAt"). Every result also says, for each event keripy parked in
ldes, whether keripy itself would take its signatures as valid for the keys in force
("ldesValidlySigned", see judged_conflicts). One JSON result per line on stdout.
"""
import json
import logging
import os
import sys
from dataclasses import asdict

from keri import core, kering
from keri.core import eventing, parsing, serdering
from keri.db import basing, dbing

# Escrow databases counted in "escrows": plain LMDB handles, then keripy Suber wrappers (.sdb).
PLAIN_ESCROWS = ['ooes', 'pses', 'pwes', 'ldes', 'ures', 'vres']
SUBER_ESCROWS = ['pdes', 'uwes', 'udes', 'qnfs', 'misfits', 'delegables']
# Where a key event that was not accepted ended, in the corpus's words, first match wins.
FATES = [('ooes', 'out_of_order'), ('pses', 'partially_signed'),
         ('pwes', 'partially_witnessed'), ('pdes', 'delegation'),
         ('ldes', 'likely_duplicitous')]
KEY_EVENT_ILKS = ('icp', 'rot', 'ixn', 'dip', 'drt')
# keripy's own log level (KESTREL_ORACLE_LOG_LEVEL=1 shows its traces on stderr when debugging).
LOG_LEVEL = int(os.environ.get('KESTREL_ORACLE_LOG_LEVEL', logging.WARNING))


def said_of(value):
    """The event's SAID in an escrow value: the value itself, or what follows an insertion proem
    (32 hex digits and a dot). SAIDs are 44 or 88 characters (256- or 512-bit digests)."""
    return bytes(value).split(b'.')[-1].decode(errors='replace')


class WarningLog(logging.Handler):
    """Keeps keripy's warnings and errors for the result's informative "errors" list."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.lines = []

    def emit(self, record):
        try:
            self.lines.append(record.getMessage()[:300])
        except Exception:  # a message that cannot be formatted is not worth failing over
            pass


def entries(db, handle):
    with db.env.begin(db=handle) as txn:
        return [(bytes(k), bytes(v)) for k, v in txn.cursor().iternext(keys=True, values=True)]


def escrow_entries(db):
    found = {name: entries(db, getattr(db, name)) for name in PLAIN_ESCROWS}
    found.update({name: entries(db, getattr(db, name).sdb) for name in SUBER_ESCROWS})
    return found


def snapshot(db):
    escrows = escrow_entries(db)
    flat = sorted((name, k, v) for name, items in escrows.items() for k, v in items)
    return flat, sum(1 for _ in db.getFelItemAllPreIter())


def settle(db, kevery, errors):
    """Processes escrows until nothing changes (at most ten passes, as for the corpus)."""
    before = snapshot(db)
    for _ in range(10):
        try:
            kevery.processEscrows()
        except Exception as error:  # keripy re-raises what an escrow raised; its loop goes on
            errors.append(f'escrow pass raised {type(error).__name__}: {error}'[:300])
        now = snapshot(db)
        if now == before:
            break
        before = now


def keripy_loggers():
    # keripy's modules log through hio's ogler, whose loggers do not propagate to the root logger
    # and sit at a level that hides warnings: warnings are what the corpus lists as errors.
    return {module.logger for module in (eventing, parsing)}


def parse_one(parser, rest, kevery):
    """
    keripy's `Parser.parseOne`, except that it gives up where keripy would wait for ever: keripy's
    parser yields when a message needs more bytes than the stream holds, and `parseOne` calls it
    again until it finishes, which, the stream being all there is, it never does (a pipelined -V
    frame whose count a flipped byte made larger than the rest of the stream, seed 1280778). False
    when keripy stalled there.
    """
    parsator = parser.onceParsator(ims=rest, framed=True, pipeline=False, kvy=kevery,
                                   local=bool(parser.local))
    last = None
    for _ in range(10_000):
        try:
            next(parsator)
        except StopIteration:
            return True
        if len(rest) == last:  # yielded twice without taking a byte: it waits for more
            return False
        last = len(rest)
    return False


def judge(stream, events, eager=False):
    log = WarningLog()
    for logger in keripy_loggers():
        logger.addHandler(log)
        logger.setLevel(LOG_LEVEL)
    try:
        with basing.openDB(name='oracle', temp=True) as db:
            kevery = eventing.Kevery(db=db, lax=True, local=False)
            parser = parsing.Parser(kvy=kevery)
            if eager:
                # One message at a time, escrows processed after each: what an escrow waits for
                # is retried as soon as it arrives, as Kestrel does, rather than after the whole
                # stream has been parsed.
                rest = bytearray(stream)
                stopped_at = None
                rejected_body_at = None
                previous = None  # (where the message before began, whether its body was refused)
                while rest:
                    size = len(rest)
                    logged = len(log.lines)
                    if not parse_one(parser, rest, kevery):
                        # keripy waits for bytes the stream does not have, and reads nothing
                        # after this point
                        stopped_at = len(stream) - size
                        break
                    settle(db, kevery, log.lines)
                    fresh = log.lines[logged:]
                    if any('extraction error' in line for line in fresh):
                        # keripy's parser gave up here and dropped the rest of the stream: say
                        # where the message it gave up on began
                        stopped_at = len(stream) - size
                        if previous is not None and previous[1]:
                            # right after a body keripy took off the stream by the size its
                            # version string claims, then refused: a wrong size swallows the
                            # messages after it, which a resynchronising parser reads
                            rejected_body_at = previous[0]
                        break
                    previous = (len(stream) - size,
                                any('Invalid raw for Serder' in line for line in fresh))
                    if len(rest) == size:
                        # nothing consumed: keripy waits for more bytes than the stream has (a
                        # damaged size, say) and reads nothing after this point
                        stopped_at = len(stream) - size
                        break
                result = report(db, kevery, events, log.lines)
                if stopped_at is not None:
                    result['stoppedAt'] = stopped_at
                if rejected_body_at is not None:
                    result['rejectedBodyAt'] = rejected_body_at
                return result
            parser.parse(ims=bytearray(stream), kvy=kevery)
            settle(db, kevery, log.lines)
            return report(db, kevery, events, log.lines)
    finally:
        for logger in keripy_loggers():
            logger.removeHandler(log)


def replay_kel(db, parser, kevery, prefix, before):
    """
    Feeds keripy's KEL of `prefix` (the events it first saw at sn below `before`) and its
    delegators' KELs, with the attachments keripy kept, into another Kevery through `parser`, all
    in the order keripy first saw them: a delegator rebuilt whole first could have added witnesses
    since an anchor, which keripy's search for that anchor would then refuse. Returns whether the
    KEL of `prefix` stands there at sn `before - 1`.
    """
    chain = []
    delegator = prefix
    while delegator and delegator not in chain and len(chain) < 8:
        kever = kevery.kevers.get(delegator)
        if kever is None:
            return False
        chain.append(delegator)
        delegator = kever.delpre
    seen = []
    for owner in chain:
        for _, fn, dig in db.getFelItemPreIter(owner.encode()):
            dgkey = dbing.dgKey(owner, bytes(dig))
            if owner == prefix:
                if serdering.SerderKERI(raw=bytes(db.getEvt(dgkey))).sn >= before:
                    continue
            seen.append((bytes(db.getDts(dgkey) or b''), owner, fn, bytes(dig)))
    for _, owner, fn, dig in sorted(seen):
        parser.parse(ims=bytearray(db.cloneEvtMsg(pre=owner.encode(), fn=fn, dig=dig)),
                     kvy=parser.kvy)
    rebuilt = parser.kvy.kevers.get(prefix)
    return rebuilt is not None and rebuilt.sn == before - 1


def judged_conflicts(db, kevery, ldes_entries):
    """
    For each event in ldes: whether keripy itself would take its signatures as valid for the keys
    in force at its sn. keripy parks such an event unjudged; Kestrel judges it, and drops it when
    it is not validly signed by the keys in force, so this is keripy's own check of that judgment.
    keripy's KEL up to the sn before the event is rebuilt in a fresh database (with its
    delegators', in first-seen order) and the event, with the signatures keripy kept for it, is
    offered as the next one:
    accepted, or waiting only for witnesses or its delegation, means validly signed. Events whose
    KEL cannot be rebuilt that way are left out.
    """
    judged = {}
    for key, value in ldes_entries:
        prefix = key.split(b'.')[0].decode(errors='replace')
        said = said_of(value)
        dgkey = dbing.dgKey(prefix, said)
        raw = db.getEvt(dgkey)
        if raw is None or said in judged:
            continue
        try:
            serder = serdering.SerderKERI(raw=bytes(raw))
            with basing.openDB(name='oracle-replay', temp=True) as replay:
                kvy = eventing.Kevery(db=replay, lax=True, local=False)
                parser = parsing.Parser(kvy=kvy)
                if serder.sn > 0 and not replay_kel(db, parser, kevery, prefix, before=serder.sn):
                    continue
                sigs = db.getSigs(dgkey)
                message = bytearray(serder.raw)
                message.extend(core.Counter(code=core.Codens.ControllerIdxSigs, count=len(sigs),
                                            gvrsn=kering.Vrsn_1_0).qb64b)
                for sig in sigs:
                    message.extend(sig)
                parser.parse(ims=message, kvy=kvy)
                offered = kvy.kevers.get(serder.pre)
                accepted = offered is not None and offered.serder.said == said
                waiting = any(said.encode() in bytes(v) for name in ('pwes', 'pdes')
                              for _, v in entries(replay, escrow_handle(replay, name)))
                judged[said] = accepted or waiting
        except Exception:  # a KEL or event keripy cannot rebuild or read this way: not judged
            continue
    return judged


def escrow_handle(db, name):
    handle = getattr(db, name)
    return handle.sdb if name in SUBER_ESCROWS else handle


def report(db, kevery, events, errors):
    accepted = {}
    accepted_saids = set()
    for prefix, kever in kevery.kevers.items():
        try:
            state = asdict(kever.state())
            state.pop('dt', None)
        except Exception as error:  # keripy cannot write this key state (see Kestrel's notes)
            state = {'unreadable': f'{type(error).__name__}: {error}'[:300]}
        kel = []
        for _, _, said in db.getFelItemPreIter(prefix.encode()):
            said = bytes(said).decode()
            serder = serdering.SerderKERI(raw=bytes(db.getEvt(dbing.dgKey(prefix, said))))
            kel.append({'sn': serder.sn, 'ilk': serder.ilk, 'said': said})
            accepted_saids.add(said)
        accepted[prefix] = {'state': state, 'kel': kel}
    escrows = escrow_entries(db)
    escrowed = {name: {said_of(v) for _, v in items}
                for name, items in escrows.items()}
    not_accepted = []
    for event in events:
        if event['ilk'] not in KEY_EVENT_ILKS or event['said'] in accepted_saids:
            continue
        why = next((word for name, word in FATES if event['said'] in escrowed[name]), 'dropped')
        not_accepted.append({'said': event['said'], 'sn': event['sn'], 'ilk': event['ilk'],
                             'why': why})
    if not accepted_saids:
        verdict = 'rejected'
    elif not not_accepted:
        verdict = 'accepted'
    else:
        verdict = 'partial'
    return {'keri': '1.3.6', 'verdict': verdict, 'accepted': accepted,
            'not_accepted': not_accepted,
            'escrows': {name: len(items) for name, items in escrows.items() if items},
            'ldesValidlySigned': judged_conflicts(db, kevery, escrows['ldes']),
            'errors': errors}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            with open(request['stream'], 'rb') as stream:
                result = judge(stream.read(), request['events'], request.get('eager', False))
        except Exception as error:  # report keripy crashing as a result, keep serving
            result = {'crash': f'{type(error).__name__}: {error}'}
        sys.stdout.write(json.dumps(result) + '\n')
        sys.stdout.flush()


if __name__ == '__main__':
    main()
