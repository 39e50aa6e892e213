#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""igmp_helper.py - multicast sockets and IGMP packets for igmp.sh.

Standard library only (the guest has python3; scapy is not needed).

  member FAMILY GROUP --ifaddr A [--port P]
      A UDP socket of FAMILY ("inet", "xstack" or a number) bound to
      0.0.0.0:P that joins GROUP on the interface of address A. Prints
      "joined" (or the errno name and exits 1), then obeys one command
      per line on stdin, answering one line each:
        recv SECS   -> "recv DATA" or "timeout"
        leave       -> "left" or the errno name (IP_DROP_MEMBERSHIP)
        join        -> "joined" or the errno name
        exit        -> closes the socket without leaving, exits
  errnos FAMILY --ifaddr A --ifindex N
      Membership errno sequence; one "step result" line each (run on
      AF_INET and AF_XSTACK, the outputs must be equal).
  query --ifindex N [--group G] [--code C] [--len L] [--csum bad]
      Send an IGMP query (raw socket, native stack) with TTL 1 and the
      Router Alert option to 224.0.0.1 (general) or to G; prints the
      send time. --len 12 sends an IGMPv3 query, --len 9 a bogus one.
  report --ifindex N --group G [--query-first C]
      Send a v2 membership report for G to G (optionally right after a
      general query with Max Resp Code C, timed together); prints the
      time of the first packet.
  send --ifaddr A --group G --port P --data D
      Send one UDP datagram to G:P from the interface of address A.
"""
import argparse
import ctypes
import errno
import socket
import struct
import sys
import time

from xs_inet import csum

IP_MULTICAST_IF = 32
IP_MULTICAST_TTL = 33
IP_MULTICAST_LOOP = 34
IP_ADD_MEMBERSHIP = 35
IP_DROP_MEMBERSHIP = 36
MCAST_JOIN_GROUP = 42
MCAST_LEAVE_GROUP = 45
IP_OPTIONS = 4
SOL_IP = 0
IPPROTO_IGMP = 2
RA = b"\x94\x04\x00\x00"

libc = ctypes.CDLL(None, use_errno=True)


def family_number(name):
    if name == "inet":
        return socket.AF_INET
    if name == "xstack":
        with open("/sys/module/xstack/parameters/family") as f:
            return int(f.read())
    return int(name)


def errname(err):
    return errno.errorcode.get(err, "E%d" % err)


def mreq(group, ifaddr):
    return socket.inet_aton(group) + socket.inet_aton(ifaddr)


def mreqn(group, ifaddr, ifindex):
    return mreq(group, ifaddr) + struct.pack("=i", ifindex)


def group_req(group, ifindex, family=socket.AF_INET):
    # struct group_req: u32 interface, padding, sockaddr_storage (128).
    sin = struct.pack("=H", family) + b"\0\0" + socket.inet_aton(group)
    return struct.pack("=I4x", ifindex) + sin.ljust(128, b"\0")


def bind_any(sock, port):
    """bind(2) through libc: Python refuses unknown families."""
    sa = struct.pack("=H", socket.AF_INET) + struct.pack("!H", port)
    sa += b"\0" * 12
    buf = ctypes.create_string_buffer(sa, len(sa))
    if libc.bind(sock.fileno(), buf, len(sa)) != 0:
        raise OSError(ctypes.get_errno(), "bind")


def try_opt(sock, opt, val):
    try:
        sock.setsockopt(SOL_IP, opt, val)
        return "ok"
    except OSError as e:
        return errname(e.errno)


def cmd_member(a):
    sock = socket.socket(family_number(a.family), socket.SOCK_DGRAM, 0)
    if a.port:
        bind_any(sock, a.port)
    res = try_opt(sock, IP_ADD_MEMBERSHIP, mreq(a.group, a.ifaddr))
    print("joined" if res == "ok" else res, flush=True)
    if res != "ok":
        return 1
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "recv":
            sock.settimeout(float(words[1]))
            try:
                data = sock.recv(2048)
                print("recv " + data.decode(errors="replace"), flush=True)
            except socket.timeout:
                print("timeout", flush=True)
        elif words[0] == "leave":
            res = try_opt(sock, IP_DROP_MEMBERSHIP, mreq(a.group, a.ifaddr))
            print("left" if res == "ok" else res, flush=True)
        elif words[0] == "join":
            res = try_opt(sock, IP_ADD_MEMBERSHIP, mreq(a.group, a.ifaddr))
            print("joined" if res == "ok" else res, flush=True)
        elif words[0] == "exit":
            break
    sock.close()
    return 0


def cmd_errnos(a):
    sock = socket.socket(family_number(a.family), socket.SOCK_DGRAM, 0)
    A, N = a.ifaddr, a.ifindex
    steps = [
        ("join-unicast", IP_ADD_MEMBERSHIP, mreqn("10.9.9.9", "0.0.0.0", N)),
        ("join-short", IP_ADD_MEMBERSHIP, socket.inet_aton("239.5.0.1")),
        ("join-mreq", IP_ADD_MEMBERSHIP, mreq("239.5.0.1", A)),
        ("join-again", IP_ADD_MEMBERSHIP, mreq("239.5.0.1", A)),
        ("join-again-ifindex", IP_ADD_MEMBERSHIP,
         mreqn("239.5.0.1", "0.0.0.0", N)),
        ("leave-not-joined", IP_DROP_MEMBERSHIP, mreq("239.5.9.9", A)),
        ("join-no-route", IP_ADD_MEMBERSHIP, mreq("239.5.0.2", "0.0.0.0")),
        ("leave-no-route", IP_DROP_MEMBERSHIP, mreq("239.5.0.2", "0.0.0.0")),
        ("join-bad-ifindex", IP_ADD_MEMBERSHIP,
         mreqn("239.5.0.3", "0.0.0.0", 9999)),
        ("leave-bad-ifindex", IP_DROP_MEMBERSHIP,
         mreqn("239.5.0.3", "0.0.0.0", 9999)),
        ("join-not-our-addr", IP_ADD_MEMBERSHIP, mreq("239.5.0.4", "192.0.2.99")),
        ("join-mreqn", IP_ADD_MEMBERSHIP, mreqn("239.5.0.5", "0.0.0.0", N)),
        ("leave-mreqn-by-addr", IP_DROP_MEMBERSHIP, mreq("239.5.0.5", A)),
        ("greq-join", MCAST_JOIN_GROUP, group_req("239.5.0.6", N)),
        ("greq-join-again", MCAST_JOIN_GROUP, group_req("239.5.0.6", N)),
        ("greq-short", MCAST_JOIN_GROUP, group_req("239.5.0.7", N)[:100]),
        ("greq-inet6", MCAST_JOIN_GROUP,
         group_req("239.5.0.7", N, socket.AF_INET6)),
        ("greq-unicast", MCAST_JOIN_GROUP, group_req("10.9.9.9", N)),
        ("greq-leave", MCAST_LEAVE_GROUP, group_req("239.5.0.6", N)),
        ("greq-leave-again", MCAST_LEAVE_GROUP, group_req("239.5.0.6", N)),
        ("greq-bad-ifindex", MCAST_JOIN_GROUP, group_req("239.5.0.8", 9999)),
    ]
    for name, opt, val in steps:
        print(name, try_opt(sock, opt, val))
    # igmp_max_memberships (20): one group held, 19 more, then ENOBUFS.
    n, res = 0, "ok"
    while res == "ok" and n < 100:
        res = try_opt(sock, IP_ADD_MEMBERSHIP,
                      mreq("239.6.0.%d" % (n + 1), A))
        if res == "ok":
            n += 1
    print("fill", n, res)
    print("leave-one-of-full", try_opt(sock, IP_DROP_MEMBERSHIP,
                                       mreq("239.6.0.1", A)))
    print("join-after-leave", try_opt(sock, IP_ADD_MEMBERSHIP,
                                      mreq("239.6.0.99", A)))
    print("leave-mreq", try_opt(sock, IP_DROP_MEMBERSHIP,
                                mreq("239.5.0.1", A)))
    print("leave-mreq-again", try_opt(sock, IP_DROP_MEMBERSHIP,
                                      mreq("239.5.0.1", A)))
    sock.close()
    return 0


def igmp_msg(typ, code, group, length=8, bad_csum=False):
    msg = struct.pack("!BBH4s", typ, code, 0, socket.inet_aton(group))
    msg = msg.ljust(length, b"\0")[:length] if length >= 8 else msg
    c = csum(msg)
    if bad_csum:
        c ^= 0x5a5a
    return msg[:2] + struct.pack("!H", c) + msg[4:]


def raw_igmp_socket(ifindex):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, IPPROTO_IGMP)
    s.setsockopt(SOL_IP, IP_OPTIONS, RA)
    s.setsockopt(SOL_IP, IP_MULTICAST_TTL, 1)
    s.setsockopt(SOL_IP, IP_MULTICAST_LOOP, 0)
    s.setsockopt(SOL_IP, IP_MULTICAST_IF, mreqn("0.0.0.0", "0.0.0.0",
                                                ifindex))
    return s


def cmd_query(a):
    s = raw_igmp_socket(a.ifindex)
    group = a.group or "0.0.0.0"
    dst = a.group or "224.0.0.1"
    msg = igmp_msg(0x11, a.code, group, a.len, a.csum == "bad")
    t = time.time()
    s.sendto(msg, (dst, 0))
    print("%.6f" % t)
    return 0


def cmd_report(a):
    s = raw_igmp_socket(a.ifindex)
    t = time.time()
    if a.query_first is not None:
        s.sendto(igmp_msg(0x11, a.query_first, "0.0.0.0"), ("224.0.0.1", 0))
    s.sendto(igmp_msg(0x16, 0, a.group), (a.group, 0))
    print("%.6f" % t)
    return 0


def cmd_send(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(SOL_IP, IP_MULTICAST_IF, socket.inet_aton(a.ifaddr))
    s.setsockopt(SOL_IP, IP_MULTICAST_TTL, 1)
    s.sendto(a.data.encode(), (a.group, a.port))
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("member")
    m.add_argument("family")
    m.add_argument("group")
    m.add_argument("--ifaddr", required=True)
    m.add_argument("--port", type=int, default=0)
    e = sub.add_parser("errnos")
    e.add_argument("family")
    e.add_argument("--ifaddr", required=True)
    e.add_argument("--ifindex", type=int, required=True)
    q = sub.add_parser("query")
    q.add_argument("--ifindex", type=int, required=True)
    q.add_argument("--group")
    q.add_argument("--code", type=int, default=100)
    q.add_argument("--len", type=int, default=8)
    q.add_argument("--csum", default="ok")
    r = sub.add_parser("report")
    r.add_argument("--ifindex", type=int, required=True)
    r.add_argument("--group", required=True)
    r.add_argument("--query-first", type=int)
    s = sub.add_parser("send")
    s.add_argument("--ifaddr", required=True)
    s.add_argument("--group", required=True)
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--data", required=True)
    a = p.parse_args()
    return globals()["cmd_" + a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
