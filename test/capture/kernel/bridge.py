"""A two-port Ethernet bridge in user space, for test/capture/kernel.test.ts.

`bridge.py LEFT RIGHT` forwards every frame between two interfaces of its namespace (AF_PACKET
sockets) and, on command, holds what comes in on RIGHT: the one way this machine's kernel
(no netem, no plug qdisc, no nft queue) lets a test keep segments in flight, so that two
sockets' FINs cross and both reach CLOSING. Commands, one per line on stdin:

    hold PORT    hold the TCP frames from RIGHT whose source port is PORT
    release      send the held frames on, in order, and forward again

It answers each with a line on stdout (`holding`, `released N`) once it is in effect, and
prints `bridging` when it starts.

Frames sent with checksum offload carry only the pseudo-header sum in their TCP checksum (the
kernel of the far end would drop them): the TCP checksum of every IPv4 frame is recomputed.
"""
import os
import select
import socket
import struct
import sys

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def fix_tcp_checksum(frame):
    """The frame with its IPv4 TCP checksum recomputed (other frames unchanged)."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00" or frame[23] != 6:
        return frame
    ihl = (frame[14] & 0x0F) * 4
    total = struct.unpack("!H", frame[16:18])[0]
    tcp_at = 14 + ihl
    end = 14 + total
    if end > len(frame) or tcp_at + 20 > end:
        return frame
    segment = bytearray(frame[tcp_at:end])
    segment[16:18] = b"\0\0"
    pseudo = frame[26:34] + struct.pack("!BBH", 0, 6, len(segment))
    segment[16:18] = struct.pack("!H", checksum(pseudo + bytes(segment)))
    return frame[:tcp_at] + bytes(segment) + frame[end:]


def tcp_sport(frame):
    if len(frame) < 38 or frame[12:14] != b"\x08\x00" or frame[23] != 6:
        return None
    ihl = (frame[14] & 0x0F) * 4
    return struct.unpack("!H", frame[14 + ihl : 16 + ihl])[0]


def main(left, right):
    socks = {}
    for name in (left, right):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind((name, 0))
        socks[name] = s
    other = {left: socks[right], right: socks[left]}
    by_fd = {socks[left].fileno(): left, socks[right].fileno(): right}
    hold_port = None
    held = []
    print("bridging", flush=True)
    stdin = sys.stdin.fileno()
    while True:
        ready, _, _ = select.select([stdin, *by_fd], [], [])
        for fd in ready:
            if fd == stdin:
                line = os.read(stdin, 4096).decode()
                if not line:
                    return
                for command in line.split("\n"):
                    words = command.split()
                    if words[:1] == ["hold"]:
                        hold_port = int(words[1])
                        print("holding", flush=True)
                    elif words[:1] == ["release"]:
                        for frame in held:
                            socks[left].send(frame)
                        print(f"released {len(held)}", flush=True)
                        held = []
                        hold_port = None
                continue
            name = by_fd[fd]
            frame, address = socks[name].recvfrom(65536)
            if address[2] == PACKET_OUTGOING:
                continue
            frame = fix_tcp_checksum(frame)
            if name == right and hold_port is not None and tcp_sport(frame) == hold_port:
                held.append(frame)
                continue
            try:
                other[name].send(frame)
            except OSError:
                # A frame the far interface cannot take (larger than its MTU): lost, as on a wire.
                pass


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
