#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""badpkt.py - bad and unwanted packets to an xstack host, with scapy.

Runs in the native netns (nb) of topology a, sends to the xstack host
(xa: --dst at --dmac) and checks what comes back and xa's counters
(--snmp: xa's /proc/net/xstack/snmp, as /proc/PID/net/xstack/snmp).
Scenarios, run in the order given:

  malformed     each kind three times: bad IP header checksum, IHL < 5,
                IHL beyond the packet, a header cut short (counted by
                xstack or, lacking a destination, by the native stack), an
                ICMP message shorter than its header, total length
                larger than the frame or smaller than the header, version
                6 in an ETH_P_IP frame, a martian source, a bad ICMP
                checksum, a broken IP option, ARP with a wrong hardware or
                protocol address length, a truncated ARP packet: no answer
                at all, and the counter of the kind grows by 3 (Ip
                InHdrErrors, IpExt InCsumErrors, IpExt InTruncatedPkts,
                XsExt IpInBadSource, Icmp InCsumErrors, XsExt
                ArpInMalformed, ...); an echo request with valid options
                is answered (options are skipped correctly)
  unknown-proto IP protocol 253 to xa: an ICMP protocol unreachable that
                quotes the datagram, Ip InUnknownProtos + 1; the same to
                the broadcast address: no ICMP (RFC 1122 3.2.2)
  ratelimit     200 datagrams of protocol 253 at once: far fewer
                unreachables (per-destination burst 6, 1 per second),
                Icmp OutRateLimitHost grows and with OutRateLimitGlobal
                accounts for every one suppressed; a second later, one more
                datagram is answered again

Prints "ok - ..." / "not ok - ..." per check; exits 1 when one failed.
"""
import socket
import struct
import sys
import time

from scapy.all import ICMP, IP, IPerror, IPOption_NOP, Raw

from xs_scapy import (Peer, arg_parser, check, counters, exit_code, grew,
                      ip_csum, note)

ECHO_ID = 0x5a5a


def echo(args, seq, **ip):
    return IP(src=args.src, dst=args.dst, **ip) / \
        ICMP(type=8, id=ECHO_ID, seq=seq) / Raw(b"xstack-badpkt" * 4)


def cut(pkt, n):
    """The first N bytes of PKT, as an undissected payload."""
    return Raw(bytes(pkt)[:n])


def ip_kinds(args):
    """(name, packet, counters of which one must grow by 3)."""
    good = echo(args, 1)
    v6 = bytearray(bytes(echo(args, 7)))
    v6[0] = 0x65	# version 6, IHL 5, with a valid header checksum
    v6[10:12] = b"\0\0"
    v6[10:12] = ip_csum(bytes(v6[:20])).to_bytes(2, "big")
    return [
        ("bad IP header checksum", echo(args, 2, chksum=0x1234),
         ["IpExt InCsumErrors"]),
        ("IHL 4", echo(args, 3, ihl=4), ["Ip InHdrErrors"]),
        ("IHL 15 beyond the packet", cut(echo(args, 4, ihl=15), 40),
         ["Ip InHdrErrors", "IpExt InTruncatedPkts"]),
        # Without a destination address it may be left to the native
        # stack (DESIGN.md principle 3), which counts it then.
        ("header cut at 12 bytes", cut(good, 12),
         ["Ip InHdrErrors", "IpExt InTruncatedPkts",
          "native Ip InHdrErrors"]),
        ("ICMP message of 4 bytes",
         IP(src=args.src, dst=args.dst, proto=1) / Raw(b"\x08\0\xf7\xff"),
         ["Icmp InErrors"]),
        ("total length 1000 > frame", echo(args, 5, len=1000),
         ["IpExt InTruncatedPkts"]),
        ("total length 12 < header", echo(args, 6, len=12),
         ["Ip InHdrErrors"]),
        ("version 6 in an ETH_P_IP frame", Raw(bytes(v6)),
         ["Ip InHdrErrors"]),
        ("multicast source 224.0.0.9",
         IP(src="224.0.0.9", dst=args.dst) / ICMP(id=ECHO_ID, seq=8),
         ["XsExt IpInBadSource", "Ip InAddrErrors"]),
        ("loopback source 127.0.0.1",
         IP(src="127.0.0.1", dst=args.dst) / ICMP(id=ECHO_ID, seq=9),
         ["XsExt IpInBadSource", "Ip InAddrErrors"]),
        ("bad ICMP checksum",
         IP(src=args.src, dst=args.dst) /
         ICMP(type=8, id=ECHO_ID, seq=10, chksum=0x4321) / Raw(b"x" * 32),
         ["Icmp InCsumErrors"]),
        ("option length beyond the header", bad_option(args),
         ["XsExt IpInBadOptions", "Ip InHdrErrors"]),
    ]


def bad_option(args):
    """An echo whose record-route option claims 39 bytes in a 4-byte
    option area (IHL 6), header checksum valid."""
    icmp = bytes(ICMP(type=8, id=ECHO_ID, seq=11) / Raw(b"o" * 8))
    hdr = bytearray(struct.pack("!BBHHHBBH4s4s", 0x46, 0, 24 + len(icmp), 11,
                                0, 64, 1, 0, socket.inet_aton(args.src),
                                socket.inet_aton(args.dst)) +
                    b"\x07\x27\x04\x00")
    hdr[10:12] = ip_csum(bytes(hdr)).to_bytes(2, "big")
    return Raw(bytes(hdr) + icmp)


def arp_request(hlen, plen, sha, spa, tpa):
    """An ARP request (RFC 826) with the given address lengths."""
    return struct.pack("!HHBBH", 1, 0x0800, hlen, plen, 1) + sha + spa + \
        b"\0" * hlen + tpa


def arp_kinds(args, peer):
    """(name, ARP packet bytes, counters): requests for xa's address."""
    mac = bytes.fromhex(peer.mac.replace(":", ""))
    spa, tpa = socket.inet_aton(args.src), socket.inet_aton(args.dst)
    req = arp_request(6, 4, mac, spa, tpa)
    return [
        ("ARP hardware length 8",
         arp_request(8, 4, mac + b"\0\0", spa, tpa), ["XsExt ArpInMalformed"]),
        ("ARP protocol length 6", req[:5] + b"\x06" + req[6:],
         ["XsExt ArpInMalformed"]),
        ("ARP cut at 20 bytes", req[:20], ["XsExt ArpInMalformed"]),
    ]


def send_kind(peer, pkt, arp):
    """Three copies, in frames of type ARP or IPv4 to xa."""
    frame = bytes(peer.eth(etype=0x0806 if arp else 0x0800)) + bytes(pkt)
    peer.send_frames([frame] * 3)


def scenario_malformed(args, peer):
    kinds = [(n, p, c, False) for n, p, c in ip_kinds(args)] + \
        [(n, p, c, True) for n, p, c in arp_kinds(args, peer)]
    for name, pkt, names, arp in kinds:
        before = counters(args)
        # Answers only: ICMP or ARP replies (not xa's own ARP probes).
        sn = peer.sniffer("ether src %s and (icmp or (arp and arp[6:2] = 2))"
                          % args.dmac)
        send_kind(peer, pkt, arp)
        time.sleep(0.4)
        # Linux answers a bad option with a parameter problem; allowed.
        got = [p for p in sn.stop()
               if not (ICMP in p and p[ICMP].type == 12 and "option" in name)]
        check(not got, "%s: no answer (%s)" %
              (name, "; ".join(p.summary() for p in got[:2]) or "none"))
        grew(args, before, names, "%s: counted" % name, 3)
    sn = peer.sniffer("icmp and src host %s" % args.dst)
    peer.send([IP(src=args.src, dst=args.dst,
                  options=[IPOption_NOP()] * 4) /
               ICMP(type=8, id=ECHO_ID, seq=12) / Raw(b"options")])
    sn.wait_for(lambda f: f, 3)
    got = [p for p in sn.stop() if ICMP in p and p[ICMP].type == 0]
    check(len(got) == 1 and bytes(got[0][ICMP].payload) == b"options",
          "echo with 4 NOP options (IHL 6): answered")


def unreachables(frames, ipid=None):
    out = []
    for p in frames:
        if ICMP in p and p[ICMP].type == 3 and p[ICMP].code == 2 and \
                IPerror in p and p[IPerror].proto == 253 and \
                (ipid is None or p[IPerror].id == ipid):
            out.append(p)
    return out


def scenario_unknown_proto(args, peer):
    before = counters(args)
    sn = peer.sniffer("icmp and src host %s" % args.dst)
    peer.send([IP(src=args.src, dst=args.dst, proto=253, id=0x3d3d) /
               Raw(b"p" * 24)])
    sn.wait_for(unreachables, 3)
    got = unreachables(sn.stop(), 0x3d3d)
    check(len(got) == 1, "protocol 253: one ICMP protocol unreachable")
    if got:
        q = got[0][IPerror]
        check(q.src == args.src and q.dst == args.dst,
              "it quotes our header (%s -> %s)" % (q.src, q.dst))
    grew(args, before, ["Ip InUnknownProtos"], "Ip InUnknownProtos + 1")
    bcast = args.dst.rsplit(".", 1)[0] + ".255"
    sn = peer.sniffer("icmp and src host %s" % args.dst)
    peer.send([IP(src=args.src, dst=bcast, proto=253) / Raw(b"b" * 24)],
              dst="ff:ff:ff:ff:ff:ff")
    time.sleep(1.5)
    check(not unreachables(sn.stop()),
          "protocol 253 to %s (broadcast): no ICMP" % bcast)


def scenario_ratelimit(args, peer):
    before = counters(args)
    frame = bytes(peer.eth() / IP(src=args.src, dst=args.dst, proto=253) /
                  Raw(b"r" * 24))
    sn = peer.sniffer("icmp and src host %s" % args.dst)
    t0 = time.time()
    peer.send_frames([frame] * 200)
    spent = time.time() - t0
    time.sleep(1.5)
    n = len(unreachables(sn.stop()))
    note("ratelimit: 200 datagrams sent in %.2fs, %d unreachables" %
         (spent, n))
    # Burst 6 plus one per second (generously: two) of sending.
    check(1 <= n <= 8 + 2 * int(spent + 1),
          "ratelimit: %d protocol unreachables for 200 datagrams" % n)
    grew(args, before, ["Icmp OutRateLimitHost"],
         "ratelimit: Icmp OutRateLimitHost counts suppressed ones")
    # Every suppressed one is counted, by the host or the global bucket.
    after = counters(args)
    lim = sum(after.get(k, 0) - before.get(k, 0)
              for k in ("Icmp OutRateLimitHost", "Icmp OutRateLimitGlobal"))
    if args.snmp:
        check(lim >= 200 - n - 2,
              "ratelimit: OutRateLimitHost + OutRateLimitGlobal = %d "
              "for %d suppressed" % (lim, 200 - n))
    # The bucket refills (icmp_ratelimit=1000 ms): answered again.
    time.sleep(1)
    sn = peer.sniffer("icmp and src host %s" % args.dst)
    peer.send([IP(src=args.src, dst=args.dst, proto=253, id=0x3e3e) /
               Raw(b"again")])
    sn.wait_for(lambda f: unreachables(f, 0x3e3e), 3)
    check(len(unreachables(sn.stop(), 0x3e3e)) == 1,
          "ratelimit: answered again after the refill")


SCENARIOS = {
    "malformed": scenario_malformed,
    "unknown-proto": scenario_unknown_proto,
    "ratelimit": scenario_ratelimit,
}


def main():
    ap = arg_parser(__doc__)
    ap.add_argument("scenario", nargs="+", choices=sorted(SCENARIOS))
    args = ap.parse_args()
    peer = Peer(args)
    for name in args.scenario:
        SCENARIOS[name](args, peer)
    sys.exit(exit_code())


if __name__ == "__main__":
    main()
