# SPDX-License-Identifier: GPL-2.0
"""xs_inet.py - helpers of the Python selftests that need no scapy (which
takes seconds to import under TCG)."""
import struct


def csum(data):
    """The Internet checksum (RFC 1071) of DATA."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
