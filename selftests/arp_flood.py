#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""arp_flood.py - a flood of ARP frames from distinct senders (RFC 826
layout, Ethernet/IPv4), for net_arp_flood.sh. No scapy: it takes seconds
to import under TCG, and the frames are simple.

  arp_flood.py --iface DEV --dmac MAC --target IP --net A.B --count N
               --kind request|reply [--seed S]

request: broadcast who-has TARGET; reply: TARGET is-at, unicast to DMAC,
unsolicited. Every frame has its own sender: a random locally
administered MAC and the address A.B.x.y, x.y counting from 1.1 and
never repeating. Prints "sent N frames in S s".
"""
import argparse
import random
import socket
import struct
import time

ETH_P_ARP = 0x0806


def mac_bytes(text):
    """aa:bb:cc:dd:ee:ff -> 6 bytes."""
    return bytes(int(x, 16) for x in text.split(":"))


def frame(kind, dmac, smac, sip, tip):
    """An Ethernet frame holding one ARP request or reply."""
    if kind == "request":
        eth_dst, op, tha = b"\xff" * 6, 1, b"\0" * 6
    else:
        eth_dst, op, tha = dmac, 2, dmac
    arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, op, smac, sip,
                      tha, tip)
    return eth_dst + smac + struct.pack("!H", ETH_P_ARP) + arp


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--iface", required=True)
    ap.add_argument("--dmac", required=True)
    ap.add_argument("--target", required=True)
    ap.add_argument("--net", required=True, help="A.B of the senders")
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--kind", choices=("request", "reply"), required=True)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if not 0 < args.count < 65000:
        ap.error("--count must be 1..64999")
    rnd = random.Random(args.seed)
    dmac = mac_bytes(args.dmac)
    tip = socket.inet_aton(args.target)
    a, b = (int(x) for x in args.net.split("."))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((args.iface, 0))
    t0 = time.monotonic()
    for i in range(args.count):
        host = 257 + i
        sip = bytes((a, b, host >> 8, host & 0xff))
        smac = bytes((0x02,)) + rnd.randbytes(5)
        pkt = frame(args.kind, dmac, smac, sip, tip)
        while True:
            try:
                s.send(pkt)
                break
            except BlockingIOError:
                time.sleep(0.001)
            except OSError as e:
                if e.errno != 105:          # ENOBUFS: the qdisc is full
                    raise
                time.sleep(0.001)
    print("sent %d frames in %.1f s" % (args.count, time.monotonic() - t0))


if __name__ == "__main__":
    main()
