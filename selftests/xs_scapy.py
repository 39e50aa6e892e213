# SPDX-License-Identifier: GPL-2.0
"""xs_scapy.py - helpers of the scapy scripts of the selftests (frag.py,
badpkt.py, tcp_packets.py): check lines for lib/topo.sh's relay, xa's
counters read from another netns, a peer that sends frames to xa and
sniffs its answers.

The scripts run in the native netns nb of topology a; xa's
/proc/net/xstack/snmp is reachable there as /proc/PID/net/xstack/snmp of
a process in xa (ns_proc_net in lib/topo.sh).
"""
import argparse
import os
import socket
import threading
import time

from xs_inet import csum as ip_csum  # noqa: F401 (for the scripts)

# Only the modules used here: scapy.all loads every layer, which takes
# twice as long under TCG. The scripts import the layers they need.
from scapy.config import conf
from scapy.layers.l2 import Ether
from scapy.sendrecv import AsyncSniffer

conf.verb = 0
FAILED = []


def check(cond, desc):
    """One check: "ok - DESC" or "not ok - DESC"."""
    print(("ok - " if cond else "not ok - ") + desc, flush=True)
    if not cond:
        FAILED.append(desc)
    return cond


def note(msg):
    print("# " + msg, flush=True)


def exit_code():
    return 1 if FAILED else 0


def snmp(path):
    """xa's counters as {"Group Name": value}, {} without a path."""
    vals = {}
    if not path:
        return vals
    with open(path) as f:
        lines = [line.split() for line in f]
    for hdr, val in zip(lines[0::2], lines[1::2]):
        group = hdr[0].rstrip(":")
        for k, v in zip(hdr[1:], val[1:]):
            vals[group + " " + k] = int(v)
    return vals


def counters(args):
    """xa's xstack counters ("Group Name") and those of xa's native stack
    ("native Group Name"): --snmp is /proc/PID/net/xstack/snmp, so
    /proc/PID/net/snmp and netstat are the native ones."""
    vals = snmp(args.snmp)
    if args.snmp:
        net = os.path.dirname(os.path.dirname(args.snmp))
        for f in ("snmp", "netstat"):
            for k, v in snmp(os.path.join(net, f)).items():
                vals["native " + k] = v
    return vals


def grew(args, before, names, desc, least=1):
    """Check that some counter of NAMES grew by LEAST since BEFORE."""
    if not args.snmp:
        return True
    after = counters(args)
    deltas = {n: after.get(n, 0) - before.get(n, 0) for n in names}
    return check(any(d >= least for d in deltas.values()),
                 "%s (%s)" % (desc, ", ".join("%s +%d" % kv
                                               for kv in deltas.items())))


def arg_parser(doc):
    """The options every script takes."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("--iface", default="veth0")
    ap.add_argument("--dmac", required=True, help="xa's MAC address")
    ap.add_argument("--src", default="10.0.0.2")
    ap.add_argument("--dst", default="10.0.0.1")
    ap.add_argument("--snmp", help="xa's /proc/net/xstack/snmp")
    return ap


class Sniffer:
    """Frames matching a BPF filter, collected from creation to stop()."""

    def __init__(self, iface, bpf):
        self.frames = []
        ready = threading.Event()
        self.sn = AsyncSniffer(iface=iface, filter=bpf, store=False,
                               prn=self.frames.append,
                               started_callback=ready.set)
        self.sn.start()
        ready.wait(5)

    def wait_for(self, pred, timeout):
        """Until PRED(frames so far) is true, at most TIMEOUT seconds."""
        end = time.time() + timeout
        while time.time() < end:
            if pred(list(self.frames)):
                return True
            time.sleep(0.1)
        return False

    def stop(self):
        self.sn.stop()
        return list(self.frames)


class Peer:
    """Sends frames to xa (scapy packets or raw bytes) and sniffs."""

    def __init__(self, args):
        self.args = args
        self.sock = conf.L2socket(iface=args.iface)
        with open("/sys/class/net/%s/address" % args.iface) as f:
            self.mac = f.read().strip()
        self.raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        self.raw.bind((args.iface, 0))

    def eth(self, dst=None, etype=None):
        """An Ethernet header to xa (or DST), of type ETYPE if given."""
        if etype is None:
            return Ether(src=self.mac, dst=dst or self.args.dmac)
        return Ether(src=self.mac, dst=dst or self.args.dmac, type=etype)

    def send(self, pkts, dst=None):
        """IP packets, each in an Ethernet frame to xa (or DST)."""
        for p in pkts:
            self.sock.send(self.eth(dst) / p)

    def send_frames(self, frames):
        """Whole frames as bytes: fast, for floods."""
        for fr in frames:
            self.raw.send(bytes(fr))

    def sniffer(self, bpf):
        return Sniffer(self.args.iface, bpf)
