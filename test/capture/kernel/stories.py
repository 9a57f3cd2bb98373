"""Kernel sockets through known stories, for test/capture/kernel.test.ts.

server.py-style: `stories.py server ADDR PORT MODE` listens, accepts one connection and plays
MODE; `stories.py client ADDR PORT MODE [FROM]` connects (from address FROM if given) and plays
MODE. Every mode ends by itself, except `sim-close`, which waits for a line `close` on stdin
before it shuts down its sending side (the test says when, so that both FINs cross).
"""
import socket
import struct
import sys
import time


def read_all(s):
    while s.recv(65536):
        pass


def server(addr, port, mode):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(1)
    print("listening", flush=True)
    c, _ = ls.accept()
    if mode == "read-close":
        read_all(c)
        c.close()
    elif mode == "send-close":
        c.sendall(b"x" * 100)
        c.close()
    elif mode == "read-linger-close":
        read_all(c)
        time.sleep(1.5)
        c.close()
    elif mode == "half-close":
        read_all(c)
        c.sendall(b"y" * 300)
        c.close()
    elif mode == "read-pause-close":
        read_all(c)
        print("eof", flush=True)
        time.sleep(0.3)
        c.close()
        print("closed", flush=True)
        time.sleep(0.6)
    elif mode == "sim-close":
        c.recv(100)
        close_when_told(c)
    elif mode == "read-rst":
        c.recv(100)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close()
    time.sleep(0.3)
    ls.close()


def close_when_told(s):
    """Ready; at `close` on stdin, shut down the sending side, read to the peer's FIN, close."""
    print("ready", flush=True)
    while sys.stdin.readline().strip() != "close":
        pass
    s.shutdown(socket.SHUT_WR)
    print("closed", flush=True)
    read_all(s)
    s.close()


def client(addr, port, mode, bind=None):
    s = socket.socket()
    if bind:
        s.bind((bind, 0))
    if mode == "refused":
        try:
            s.connect((addr, port))
        except ConnectionRefusedError:
            print("refused", flush=True)
        return
    s.connect((addr, port))
    if mode == "send-close":
        s.sendall(b"a" * 100)
        time.sleep(0.05)
        s.close()
        print("closed", flush=True)
    elif mode == "read-close":
        read_all(s)
        s.close()
    elif mode == "send-rst":
        s.sendall(b"a" * 10)
        time.sleep(0.05)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    elif mode == "half-close":
        s.sendall(b"a" * 100)
        s.shutdown(socket.SHUT_WR)
        read_all(s)
        s.close()
    elif mode == "sim-close":
        s.sendall(b"a" * 10)
        close_when_told(s)
    elif mode == "send-read":
        s.sendall(b"a" * 10)
        try:
            read_all(s)
        except ConnectionResetError:
            print("reset", flush=True)
        s.close()
    # Long enough for a FIN retransmission (the RTO is at least 200 ms) to be recorded.
    time.sleep(0.6)


if __name__ == "__main__":
    role, addr, port, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    if role == "server":
        server(addr, port, mode)
    else:
        client(addr, port, mode, *sys.argv[5:6])
