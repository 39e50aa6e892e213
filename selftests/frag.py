#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""frag.py - IPv4 reassembly scenarios against an xstack host, with scapy.

Runs in the native netns (nb) of topology a and sends crafted fragments
of ICMP echo requests to the xstack host (xa: --dst at --dmac, out of
--iface), then looks at what comes back and, with --snmp (xa's
/proc/net/xstack/snmp, reachable from nb as /proc/PID/net/...), at xa's
counters. Scenarios, run in the order given:

  order    fragments in 8-byte multiples, sent in random order with
           duplicates (all before the datagram completes): exactly one
           echo reply each, with the payload intact
  overlap  overlapping fragments (different data, same data, one inside
           another): no reply; IpExt ReasmOverlaps or Ip ReasmFails grow
  missing  a middle fragment never sent: an ICMP time exceeded, code 1,
           quoting the datagram, after net.xstack.ipfrag_time (--timeout)
           and Ip ReasmTimeout grows; the first fragment never sent: no
           ICMP at all (RFC 792: only when fragment zero was received)
  flood    --count first fragments of 1 KiB of incomplete datagrams:
           XsExt ReasmMemEvictions grows and what was kept fits under
           --high-thresh (the shell set the thresholds)

Prints "ok - ..." and "not ok - ..." per check and "# ..." details; exits
1 when a check failed, 2 on usage errors.
"""
import random
import socket
import struct
import sys
import time

from scapy.all import ICMP, IP, IPerror, Raw, defragment

from xs_scapy import (Peer, arg_parser, check, counters, exit_code, grew,
                      ip_csum, note, snmp)


def echo(args, ipid, ident, seq, size):
    """An echo request with a recognisable payload, checksum filled in."""
    data = bytes((seq + i) & 0xff for i in range(size))
    pkt = IP(src=args.src, dst=args.dst, id=ipid) / \
        ICMP(type=8, id=ident, seq=seq) / Raw(data)
    return IP(bytes(pkt))


def pieces(body, rng, maxlen=256):
    """Cut BODY (the IP payload) at random multiples of 8 bytes."""
    out, off = [], 0
    while off < len(body):
        n = 8 * rng.randint(1, maxlen // 8)
        out.append((off, body[off:off + n]))
        off += n
    return out


def frags(args, ipid, parts, total):
    """IP fragments of (offset, data) PARTS of a TOTAL-byte payload."""
    out = []
    for off, data in parts:
        mf = off + len(data) < total
        out.append(IP(src=args.src, dst=args.dst, id=ipid, proto=1,
                      flags="MF" if mf else 0, frag=off // 8) / Raw(data))
    return out


def replies(captured, ident, seq=None):
    """Echo replies for IDENT (and SEQ), reassembled."""
    out = []
    for p in defragment([p[IP] for p in captured if IP in p]):
        if ICMP in p and p[ICMP].type == 0 and p[ICMP].id == ident and \
                (seq is None or p[ICMP].seq == seq):
            out.append(p)
    return out


def scenario_order(args, peer, rng):
    # payload size: longest fragment
    sizes = [(200, 32), (1200, 256), (3000, 512), (8, 8)]
    for rnd, (size, maxlen) in enumerate(sizes, 1):
        ident, ipid = 0x4100 + rnd, rng.randint(1, 0xffff)
        req = echo(args, ipid, ident, rnd, size)
        body = bytes(req[ICMP])
        parts = pieces(body, rng, maxlen)
        seq = frags(args, ipid, parts, len(body))
        rng.shuffle(seq)
        # Duplicates of the others anywhere before the last original
        # fragment: all of them reach the datagram before it completes.
        last = seq.pop()
        for _ in range(3):
            seq.insert(rng.randint(0, len(seq)), rng.choice(seq))
        seq.append(last)
        sn = peer.sniffer("icmp and src host %s" % args.dst)
        peer.send(seq)
        sn.wait_for(lambda c: replies(c, ident), args.wait)
        time.sleep(0.5)
        got = replies(sn.stop(), ident)
        check(len(got) == 1,
              "order: %d-byte echo in %d fragments (random order, 3 "
              "duplicates): %d reply" % (size, len(seq) - 3, len(got)))
        if got:
            check(bytes(got[0][ICMP].payload) == bytes(req[ICMP].payload),
                  "order: %d-byte reply carries the payload" % size)


def overlap_sets(args, rng):
    """(name, fragments) of datagrams that overlap."""
    body = bytes(echo(args, 0, 0x4200, 1, 1000)[ICMP])
    other = bytes(b ^ 0xff for b in body)
    total = len(body)
    sets = [
        ("different data", [(0, body[:512]), (256, other[256:768]),
                            (768, body[768:])]),
        ("same data", [(0, body[:512]), (256, body[256:768]),
                       (512, body[512:])]),
        ("one inside another", [(0, body[:800]), (64, other[64:128]),
                                (800, body[800:])]),
    ]
    out = []
    for name, parts in sets:
        ipid = rng.randint(1, 0xffff)
        out.append((name, frags(args, ipid, parts, total)))
    return out


def scenario_overlap(args, peer, rng):
    before = counters(args)
    sn = peer.sniffer("icmp and src host %s" % args.dst)
    sets = overlap_sets(args, rng)
    for _, fr in sets:
        peer.send(fr)
    time.sleep(args.wait)
    got = replies(sn.stop(), 0x4200)
    check(not got, "overlap: no reply to %d overlapping datagrams (%s)" %
          (len(sets), ", ".join(n for n, _ in sets)))
    grew(args, before, ["IpExt ReasmOverlaps", "Ip ReasmFails"],
         "overlap: ReasmOverlaps or ReasmFails counted all", len(sets))


def time_exceeded(captured):
    """IP ids quoted by the ICMP time exceeded (code 1) messages seen."""
    out = []
    for p in captured:
        if ICMP in p and p[ICMP].type == 11 and IPerror in p:
            out.append((p[ICMP].code, p[IPerror].id, p[IPerror].src,
                        p[IPerror].dst))
    return out


def scenario_missing(args, peer, rng):
    before = counters(args)
    body = bytes(echo(args, 0, 0x4300, 1, 1000)[ICMP])
    parts = [(0, body[:496]), (496, body[496:992]), (992, body[992:])]
    id_first, id_nofirst = rng.randint(1, 0x7fff), rng.randint(0x8000, 0xffff)
    sn = peer.sniffer("icmp and src host %s" % args.dst)
    t0 = time.time()
    peer.send(frags(args, id_first, [parts[0], parts[2]], len(body)))
    peer.send(frags(args, id_nofirst, parts[1:], len(body)))
    sn.wait_for(lambda c: any(t[1] == id_first for t in time_exceeded(c)),
                args.timeout + 5)
    elapsed = time.time() - t0
    time.sleep(1)
    te = time_exceeded(sn.stop())
    mine = [t for t in te if t[1] == id_first]
    check(len(mine) == 1 and mine[0][0] == 1,
          "missing: one ICMP time exceeded code 1 for the datagram whose "
          "fragment zero came (%s)" % (mine or "none"))
    if mine:
        check(mine[0][2] == args.src and mine[0][3] == args.dst,
              "missing: it quotes our header %s -> %s" % mine[0][2:])
        check(elapsed >= args.timeout - 0.5,
              "missing: not before ipfrag_time=%ds (%.1fs)" %
              (args.timeout, elapsed))
    check(not [t for t in te if t[1] == id_nofirst],
          "missing: no ICMP for the datagram without fragment zero")
    grew(args, before, ["Ip ReasmTimeout"],
         "missing: Ip ReasmTimeout counted both", 2)
    grew(args, before, ["Ip ReasmFails"], "missing: Ip ReasmFails", 2)


def first_frag_frame(args, smac, ipid, data):
    """Ethernet frame of a first fragment (MF set, offset 0), by hand:
    thousands of them are built, scapy would be too slow under TCG."""
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(data), ipid,
                      0x2000, 64, 1, 0, socket.inet_aton(args.src),
                      socket.inet_aton(args.dst))
    hdr = hdr[:10] + struct.pack("!H", ip_csum(hdr)) + hdr[12:]
    eth = bytes.fromhex(args.dmac.replace(":", "")) + smac + b"\x08\x00"
    return eth + hdr + data


def scenario_flood(args, peer, rng):
    before = counters(args)
    data = bytes(rng.getrandbits(8) for _ in range(1024))
    base = rng.randint(0, 0xffff)
    smac = bytes.fromhex(peer.mac.replace(":", ""))
    frames = [first_frag_frame(args, smac, (base + i) & 0xffff, data)
              for i in range(args.count)]
    t0 = time.time()
    peer.send_frames(frames)
    note("flood: %d first fragments of %d bytes sent in %.1fs" %
         (args.count, len(data), time.time() - t0))
    time.sleep(0.5)
    grew(args, before, ["XsExt ReasmMemEvictions"],
         "flood: XsExt ReasmMemEvictions grew")
    if not args.snmp:
        return
    # What was not evicted is still queued: its data alone must fit under
    # the high threshold (the accounting adds overhead on top).
    evicted = snmp(args.snmp).get("XsExt ReasmMemEvictions", 0) - \
        before.get("XsExt ReasmMemEvictions", 0)
    kept = args.count - evicted
    check(0 < kept and kept * len(data) <= args.high_thresh,
          "flood: %d datagrams kept, %d bytes of data <= "
          "ipfrag_high_thresh %d" % (kept, kept * len(data),
                                     args.high_thresh))


SCENARIOS = {
    "order": scenario_order,
    "overlap": scenario_overlap,
    "missing": scenario_missing,
    "flood": scenario_flood,
}


def main():
    ap = arg_parser(__doc__)
    ap.add_argument("--timeout", type=int, default=2,
                    help="xa's net.xstack.ipfrag_time")
    ap.add_argument("--wait", type=float, default=3,
                    help="seconds to wait for a reply")
    ap.add_argument("--count", type=int, default=3000,
                    help="first fragments of the flood")
    ap.add_argument("--high-thresh", type=int, default=4 << 20,
                    help="xa's net.xstack.ipfrag_high_thresh")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("scenario", nargs="+", choices=sorted(SCENARIOS))
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    note("seed %d" % seed)
    rng = random.Random(seed)
    peer = Peer(args)
    for name in args.scenario:
        SCENARIOS[name](args, peer, rng)
    sys.exit(exit_code())


if __name__ == "__main__":
    main()
