#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""xsctl_sock_helper.py - xstack TCP sockets for xsctl_sock.sh to list.

Standard library only. One process holds both ends: the listener is
created in the server netns, the clients in the client netns (setns()
for socket() only; a socket stays in the netns it was created in).

  xsctl_sock_helper.py --server-ns NS --client-ns NS --addr A --port P
                       [--backlog N] [--extra N]

Listens on A:P (AF_XSTACK, the family number of sysfs) with backlog N
(default 5), connects one client to it, sends 64 KiB each way, then
connects --extra more clients (default 0), and prints
"ready CLIENT-PORT". Then obeys one command per line on stdin:

  shut    the server closes the first connection (an active close by an
          orphan: FIN-WAIT-2 on its side, CLOSE-WAIT on the client's);
          answers "shut"
  close   (after shut) the client reads to end of file and closes: the
          server's side goes to TIME-WAIT; answers "closed"
  exit    aborts every connection (SO_LINGER 0: RST, nothing left
          behind), closes the listener, exits

Errors: "error TEXT" on stdout, exit 1.
"""
import argparse
import ctypes
import os
import socket
import struct
import sys

CLONE_NEWNET = 0x40000000
FAMILY_SYSFS = "/sys/module/xstack/parameters/family"
CHUNK = 65536

libc = ctypes.CDLL(None, use_errno=True)


def setns(fd):
    if libc.setns(fd, CLONE_NEWNET):
        e = ctypes.get_errno()
        raise OSError(e, "setns: " + os.strerror(e))


def xs_socket(ns):
    """A TCP socket of AF_XSTACK in netns NS, used as an AF_INET one:
    Python then takes and returns sockaddr_in, as xstack does."""
    with open(FAMILY_SYSFS) as f:
        family = int(f.read())
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    target = os.open("/run/netns/" + ns, os.O_RDONLY)
    try:
        setns(target)
        try:
            s = socket.socket(family, socket.SOCK_STREAM, 0)
        finally:
            setns(home)
    finally:
        os.close(target)
        os.close(home)
    return socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0,
                         fileno=s.detach())


def recv_exactly(s, n):
    got = 0
    while got < n:
        b = s.recv(min(CHUNK, n - got))
        if not b:
            raise OSError("end of file after %d of %d bytes" % (got, n))
        got += len(b)


def abort(s):
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     struct.pack("ii", 1, 0))
    except OSError:
        pass
    s.close()


def connect(args, lsk):
    c = xs_socket(args.client_ns)
    c.settimeout(20)
    c.connect((args.addr, args.port))
    a, _ = lsk.accept()
    a.settimeout(20)
    return c, a


def run(args):
    lsk = xs_socket(args.server_ns)
    lsk.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsk.bind((args.addr, args.port))
    lsk.listen(args.backlog)
    lsk.settimeout(20)
    pairs = [connect(args, lsk)]
    c, a = pairs[0]
    data = bytes(CHUNK)
    c.sendall(data)
    recv_exactly(a, len(data))
    a.sendall(data)
    recv_exactly(c, len(data))
    for _ in range(args.extra):
        pairs.append(connect(args, lsk))
    print("ready %d" % c.getsockname()[1], flush=True)
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "shut":
            a.close()
            print("shut", flush=True)
        elif cmd == "close":
            if c.recv(1) != b"":
                raise OSError("data instead of end of file")
            c.close()
            pairs = pairs[1:]
            print("closed", flush=True)
        elif cmd == "exit":
            break
        else:
            print("error unknown command %r" % cmd, flush=True)
    for c, a in pairs:
        abort(c)
        abort(a)
    lsk.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server-ns", required=True)
    ap.add_argument("--client-ns", required=True)
    ap.add_argument("--addr", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--backlog", type=int, default=5)
    ap.add_argument("--extra", type=int, default=0)
    args = ap.parse_args()
    try:
        run(args)
    except OSError as e:
        print("error %s" % e, flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
