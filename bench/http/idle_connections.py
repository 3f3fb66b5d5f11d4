#!/usr/bin/env python3
"""Opens N idle TCP connections to HOST:PORT, holds them, and prints the server's RSS
before and after (read from /proc/PID/status), then closes them."""
import socket
import sys
import time


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def main():
    host, port, pid, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    before = rss_kib(pid)
    sockets = []
    for _ in range(count):
        s = socket.create_connection((host, port))
        sockets.append(s)
    time.sleep(2)  # let the server accept them all
    after = rss_kib(pid)
    # The connections must still be usable: ask one of them something.
    sockets[-1].sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    reply = sockets[-1].recv(4096)
    ok = reply.startswith(b"HTTP/1.1 200")
    print(f"idle connections: {count}; server RSS {before} KiB -> {after} KiB "
          f"(+{(after - before) / 1024:.1f} MiB, {(after - before) * 1024 / count:.0f} B each); "
          f"last one still answers: {ok}")
    for s in sockets:
        s.close()


if __name__ == "__main__":
    main()
