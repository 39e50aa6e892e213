#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""tun_ping.py - ping an xstack address over a tun device.

Runs in the xstack host's netns. Opens /dev/net/tun, attaches to the tun
device --dev (IFF_TUN | IFF_NO_PI: bare IPv4 packets, no link-layer
header, no ARP), writes ICMP echo requests from --src to --dst and reads
the replies back from the same fd (reassembling them when xstack had to
fragment them for the device MTU). Each reply must be an echo reply from
--dst to --src with the identifier, sequence number and payload of the
request and valid IP and ICMP checksums.

Prints "ok - ..." / "not ok - ..." per check; exits 1 when one failed.
"""
import argparse
import fcntl
import os
import select
import struct
import sys
import time

from scapy.all import ICMP, IP, Raw, defragment

from xs_scapy import check, exit_code, ip_csum, note

TUNSETIFF = 0x400454ca
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def tun_open(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF,
                struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def read_packets(fd, want, timeout):
    """IPv4 packets read from FD until WANT(packets) or TIMEOUT."""
    pkts, end = [], time.time() + timeout
    while time.time() < end and not want(pkts):
        r, _, _ = select.select([fd], [], [], max(0, end - time.time()))
        if r:
            pkts.append(IP(os.read(fd, 65536)))
    return pkts


def echo_replies(pkts, ident, seq):
    """Complete echo replies to (IDENT, SEQ) among PKTS, reassembled
    (defragment() leaves the fragments of an incomplete datagram)."""
    return [p for p in defragment(pkts)
            if not (p.flags.MF or p.frag) and ICMP in p and
            p[ICMP].type == 0 and p[ICMP].id == ident and
            p[ICMP].seq == seq]


def ping(args, fd, seq, size):
    ident = 0x7700 + seq
    data = bytes((seq * 7 + i) & 0xff for i in range(size))
    req = IP(src=args.src, dst=args.dst, id=seq) / \
        ICMP(type=8, id=ident, seq=seq) / Raw(data)
    os.write(fd, bytes(req))
    pkts = read_packets(fd, lambda p: echo_replies(p, ident, seq), 5)
    frags = len([p for p in pkts if p.flags.MF or p.frag])
    got = echo_replies(pkts, ident, seq)
    if not check(len(got) == 1, args.label +
                 "%d bytes: one echo reply read from the tun fd "
                 "(%d packets, %d fragments)" % (size, len(pkts), frags)):
        for p in pkts[:3]:
            note("read: " + p.summary())
        return
    r = got[0]
    check(r.src == args.dst and r.dst == args.src and
          bytes(r[ICMP].payload) == data,
          args.label + "%d bytes: from %s to %s, payload intact" %
          (size, r.src, r.dst))
    # Every packet read has a valid header checksum; the reassembled ICMP
    # message a valid ICMP checksum.
    hdr_ok = all(ip_csum(bytes(p)[:p.ihl * 4]) == 0 for p in pkts)
    check(hdr_ok and ip_csum(bytes(r[ICMP])) == 0,
          args.label + "%d bytes: IP and ICMP checksums valid" % size)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dev", default="tun0")
    ap.add_argument("--src", default="10.9.0.2")
    ap.add_argument("--dst", default="10.9.0.1")
    ap.add_argument("--label", default="", help="prefix of the check lines")
    ap.add_argument("sizes", nargs="*", type=int, default=[56])
    args = ap.parse_args()
    if args.label:
        args.label += ": "
    fd = tun_open(args.dev)
    time.sleep(0.2)	# carrier up
    for seq, size in enumerate(args.sizes, 1):
        ping(args, fd, seq, size)
    os.close(fd)
    sys.exit(exit_code())


if __name__ == "__main__":
    main()
