#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""fuzz_packets.py - seeded random and mutated frames at an xstack host.

Runs in the native netns nb (fuzz_packets.sh) and writes Ethernet frames
on --iface with an AF_PACKET socket, no scapy: built with struct, so
that thousands go out each second even under TCG. Each frame is one of

  arp    requests, replies and garbage opcodes/hardware types, from
         random senders (never --src or --dst: ARP is not authenticated,
         claiming a live peer's address would be a legitimate takeover)
  ip     IPv4 with random options (RR, TS, LSRR, SSRR, RA, garbage and
         wrong lengths), flags, fragment offsets, TTLs and protocols
  icmp   random types and codes; errors quoting a datagram of the
         target's (towards --src, to the live ports or random ones)
  igmp   queries, reports and leaves of every version, random groups
  udp    random ports, lengths and checksums
  tcp    random flags, sequence numbers, data offsets, option bytes and
         payloads, to the live server port, listeners or anything
  raw    random bytes after a random Ethernet type

then possibly mutated: bytes flipped, truncated at any byte, checksums
left wrong. Most go to the target's MAC and --dst, some to broadcast or
multicast. The same --seed gives the same frames.

Prints "fuzz: N frames in S s (R/s), seed X, by kind: ..." at the end.
"""
import argparse
import random
import socket
import struct
import time

from xs_inet import csum

ETH_IP, ETH_ARP = 0x0800, 0x0806
KINDS = [("arp", 10), ("ip", 15), ("icmp", 15), ("igmp", 10), ("udp", 15),
         ("tcp", 30), ("raw", 5)]


class Fuzzer:
    def __init__(self, args):
        self.a = args
        self.r = random.Random(args.seed)
        self.mac = bytes.fromhex(open("/sys/class/net/%s/address" %
                                      args.iface).read().strip()
                                 .replace(":", ""))
        self.dmac = bytes.fromhex(args.dmac.replace(":", ""))
        self.src = socket.inet_aton(args.src)
        self.dst = socket.inet_aton(args.dst)
        self.ports = args.port or [7]

    def rbytes(self, n):
        return bytes(self.r.getrandbits(8) for _ in range(n))

    def chance(self, p):
        return self.r.random() < p

    # ------------------------------------------------------- addresses

    def any_ip(self):
        return self.r.choice([self.dst] * 6 + [
            b"\xff\xff\xff\xff", b"\x0a\x00\x00\xff", b"\xe0\x00\x00\x01",
            socket.inet_aton("224.0.0.%d" % self.r.randrange(256)),
            b"\x7f\x00\x00\x01", b"\x00\x00\x00\x00", self.rbytes(4)])

    def src_ip(self):
        return self.r.choice([self.src] * 4 + [
            socket.inet_aton("10.0.0.%d" % self.r.randrange(3, 255)),
            b"\x00\x00\x00\x00", b"\xff\xff\xff\xff", b"\x7f\x00\x00\x01",
            b"\x0a\x00\x00\x01", self.rbytes(4)])

    def port(self):
        return self.r.choice(self.ports * 3 + [self.r.randrange(65536),
                                                self.r.randrange(1024)])

    def eth(self, etype):
        dst = self.r.choice([self.dmac] * 8 + [
            b"\xff" * 6, b"\x01\x00\x5e\x00\x00\x01", self.rbytes(6)])
        return dst + self.mac + struct.pack("!H", etype)

    # ------------------------------------------------------- layers

    def ip_options(self):
        opts = b""
        for _ in range(self.r.randrange(4)):
            t = self.r.choice([0, 1, 7, 68, 131, 137, 148, 130,
                               self.r.randrange(256)])
            if t in (0, 1):
                opts += bytes([t])
                continue
            ln = self.r.choice([self.r.randrange(2, 16), 0, 1, 40,
                                self.r.randrange(256)])
            ptr = self.r.choice([4, 5, 8, 13, self.r.randrange(256)])
            body = bytes([ptr]) + self.rbytes(max(0, min(ln, 40) - 3))
            opts += bytes([t, ln & 0xff]) + body
        opts = opts[:40]
        return opts + b"\0" * (-len(opts) % 4)

    def ip(self, proto, payload, src=None, dst=None):
        opts = self.ip_options() if self.chance(0.15) else b""
        frag = 0
        if self.chance(0.15):
            frag = self.r.choice([0x2000, 0x4000, 0]) | \
                self.r.randrange(0x2000)
        elif self.chance(0.5):
            frag = 0x4000		# DF
        ihl = 5 + len(opts) // 4
        tot = 20 + len(opts) + len(payload)
        if self.chance(0.05):
            tot = self.r.randrange(65536)
        ttl = self.r.choice([64, 64, 1, 0, 255])
        hdr = bytearray(struct.pack(
            "!BBHHHBBH4s4s", 0x40 | ihl, self.r.choice([0, 0, 0x02, 0xfc]),
            tot, self.r.randrange(65536), frag, ttl, proto, 0,
            src or self.src_ip(), dst or self.any_ip()) + opts)
        if self.chance(0.03):
            hdr[0] = self.r.getrandbits(8)
        if not self.chance(0.05):
            hdr[10:12] = struct.pack("!H", csum(bytes(hdr)))
        return bytes(hdr) + payload

    def l4_csum(self, proto, seg, src, dst, off):
        seg = bytearray(seg)
        if not self.chance(0.1):
            pseudo = src + dst + struct.pack("!BBH", 0, proto, len(seg))
            seg[off:off + 2] = struct.pack("!H", csum(pseudo + bytes(seg)))
        return bytes(seg)

    # ------------------------------------------------------- kinds

    def f_arp(self):
        op = self.r.choice([1, 2, 1, 2, 3, 0, self.r.randrange(65536)])
        htype = 1 if self.chance(0.9) else self.r.randrange(65536)
        spa = socket.inet_aton("10.0.0.%d" % self.r.randrange(3, 255)) \
            if self.chance(0.7) else self.rbytes(4)
        if spa in (self.src, self.dst):
            spa = b"\x0a\x00\x00\xfe"
        tpa = self.dst if self.chance(0.6) else self.rbytes(4)
        body = struct.pack("!HHBBH6s4s6s4s", htype, 0x0800,
                           self.r.choice([6, 6, 0, 255]),
                           self.r.choice([4, 4, 0, 16]), op,
                           self.rbytes(6), spa, self.rbytes(6), tpa)
        return self.eth(ETH_ARP) + body

    def f_ip(self):
        proto = self.r.choice([1, 2, 6, 17, 4, 47, 50, 255,
                               self.r.randrange(256)])
        return self.eth(ETH_IP) + self.ip(proto, self.rbytes(
            self.r.randrange(64)))

    def quoted(self):
        """A datagram the target might have sent to --src (ICMP quote)."""
        proto = self.r.choice([6, 17, 1])
        l4 = struct.pack("!HH", self.port(), self.port()) + self.rbytes(
            self.r.choice([4, 8, 16, 0]))
        return self.ip(proto, l4, src=self.dst, dst=self.src)

    def f_icmp(self):
        t = self.r.choice([0, 3, 4, 5, 8, 11, 12, 13, 14, 17, 18,
                           self.r.randrange(256)])
        code = self.r.choice([0, 1, 3, 4, self.r.randrange(256)])
        rest = self.rbytes(4)
        if t == 3 and code == 4:
            rest = struct.pack("!HH", 0, self.r.choice(
                [0, 68, 576, 1280, 1400, 1500, self.r.randrange(65536)]))
        body = self.quoted() if t in (3, 4, 5, 11, 12) else self.rbytes(
            self.r.randrange(48))
        msg = bytearray(struct.pack("!BBH", t, code, 0) + rest + body)
        if not self.chance(0.1):
            msg[2:4] = struct.pack("!H", csum(bytes(msg)))
        return self.eth(ETH_IP) + self.ip(1, bytes(msg))

    def f_igmp(self):
        t = self.r.choice([0x11, 0x12, 0x16, 0x17, 0x22,
                           self.r.randrange(256)])
        group = self.r.choice([b"\0\0\0\0", b"\xe0\x00\x00\x01",
                               socket.inet_aton("239.1.%d.%d" % (
                                   self.r.randrange(256),
                                   self.r.randrange(256))),
                               self.rbytes(4)])
        msg = bytearray(struct.pack("!BBH4s", t, self.r.randrange(256), 0,
                                    group) + self.rbytes(
                                        self.r.choice([0, 0, 4, 12])))
        if not self.chance(0.1):
            msg[2:4] = struct.pack("!H", csum(bytes(msg)))
        dst = self.r.choice([b"\xe0\x00\x00\x01", group, self.dst])
        return self.eth(ETH_IP) + self.ip(2, bytes(msg), dst=dst)

    def f_udp(self):
        data = self.rbytes(self.r.randrange(64))
        ln = 8 + len(data)
        if self.chance(0.1):
            ln = self.r.randrange(65536)
        src, dst = self.src_ip(), self.any_ip()
        seg = struct.pack("!HHHH", self.port(), self.port(), ln, 0) + data
        seg = self.l4_csum(17, seg, src, dst, 6)
        return self.eth(ETH_IP) + self.ip(17, seg, src=src, dst=dst)

    def tcp_options(self):
        if self.chance(0.5):
            return b""
        opts = b""
        for _ in range(self.r.randrange(1, 5)):
            k = self.r.choice([0, 1, 2, 3, 4, 5, 8, 19, 28, 30, 34,
                               self.r.randrange(256)])
            if k in (0, 1):
                opts += bytes([k])
                continue
            if self.chance(0.7):	# the right length, mostly
                ln = {2: 4, 3: 3, 4: 2, 5: 10, 8: 10}.get(
                    k, 2 + self.r.randrange(8))
            else:
                ln = self.r.randrange(256)
            opts += bytes([k, ln]) + self.rbytes(max(0, min(ln, 38) - 2))
        opts = opts[:40]
        return opts + b"\0" * (-len(opts) % 4)

    def f_tcp(self):
        opts = self.tcp_options()
        doff = 5 + len(opts) // 4
        if self.chance(0.05):
            doff = self.r.randrange(16)
        flags = self.r.choice([0x02, 0x10, 0x18, 0x04, 0x14, 0x01, 0x11,
                               0x12, self.r.getrandbits(8)])
        data = self.rbytes(self.r.choice([0, 0, 1, 10, 100]))
        src, dst = self.src_ip(), self.any_ip()
        seg = struct.pack("!HHIIBBHHH", self.port(), self.port(),
                          self.r.getrandbits(32), self.r.getrandbits(32),
                          doff << 4, flags, self.r.randrange(65536), 0,
                          self.r.randrange(65536)) + opts + data
        seg = self.l4_csum(6, seg, src, dst, 16)
        return self.eth(ETH_IP) + self.ip(6, seg, src=src, dst=dst)

    def f_raw(self):
        etype = self.r.choice([ETH_IP, ETH_ARP, self.r.randrange(65536)])
        return self.eth(etype) + self.rbytes(self.r.randrange(100))

    def frame(self, kind):
        fr = bytearray(getattr(self, "f_" + kind)())
        if self.chance(0.15):
            for _ in range(self.r.randrange(1, 5)):
                fr[self.r.randrange(14, len(fr)) if len(fr) > 14 else 0] = \
                    self.r.getrandbits(8)
        if self.chance(0.15):
            fr = fr[:self.r.randrange(14, len(fr) + 1)]
        return bytes(fr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--iface", default="veth0")
    ap.add_argument("--dmac", required=True, help="the target's MAC")
    ap.add_argument("--src", default="10.0.0.2", help="the live peer")
    ap.add_argument("--dst", default="10.0.0.1", help="the target")
    ap.add_argument("--port", type=int, action="append",
                    help="a live or listening port of the target")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=0,
                    help="stop after this many frames (0: --seconds)")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--rate", type=int, default=20000,
                    help="at most this many frames a second")
    args = ap.parse_args()
    fz = Fuzzer(args)
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((args.iface, 0))
    names = [k for k, _ in KINDS]
    weights = [w for _, w in KINDS]
    by_kind = dict.fromkeys(names, 0)
    n, t0 = 0, time.time()
    end = t0 + args.seconds
    while True:
        now = time.time()
        if (args.count and n >= args.count) or \
                (not args.count and now >= end):
            break
        for _ in range(50):
            kind = fz.r.choices(names, weights)[0]
            fr = fz.frame(kind)
            if len(fr) < 14:
                continue
            try:
                sock.send(fr)
            except OSError:		# ENOBUFS and the like: the qdisc
                pass
            by_kind[kind] += 1
            n += 1
        ahead = t0 + n / args.rate - time.time()
        if ahead > 0:
            time.sleep(ahead)
    spent = time.time() - t0
    print("fuzz: %d frames in %.1f s (%.0f/s), seed %d, by kind: %s" % (
        n, spent, n / max(spent, 1e-6), args.seed,
        ", ".join("%s %d" % kv for kv in by_kind.items())), flush=True)


if __name__ == "__main__":
    main()
