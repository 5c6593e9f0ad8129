#!/usr/bin/env python3
"""A small forward proxy for the egress tests: plain HTTP (absolute-form
requests), HTTP CONNECT and SOCKS5 (no authentication) on one loopback
port. It prints `LISTENING <port>` once, then one line per proxied
connection (`HTTP <request line>`, `CONNECT <host:port>`, `SOCKS5 <host:port>`),
so a test can prove that a channel's traffic went through it."""

import socket
import struct
import sys
import threading


def log(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def pipe(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def relay(client, upstream, first=b""):
    if first:
        upstream.sendall(first)
    t = threading.Thread(target=pipe, args=(upstream, client), daemon=True)
    t.start()
    pipe(client, upstream)
    t.join()
    client.close()
    upstream.close()


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise OSError("closed")
        buf += chunk
    return buf


def socks5(client):
    (n_methods,) = recv_exact(client, 1)
    recv_exact(client, n_methods)
    client.sendall(b"\x05\x00")
    _ver, cmd, _rsv, atyp = recv_exact(client, 4)
    if atyp == 1:
        host = socket.inet_ntoa(recv_exact(client, 4))
    elif atyp == 3:
        (length,) = recv_exact(client, 1)
        host = recv_exact(client, length).decode()
    elif atyp == 4:
        host = socket.inet_ntop(socket.AF_INET6, recv_exact(client, 16))
    else:
        client.close()
        return
    (port,) = struct.unpack("!H", recv_exact(client, 2))
    if cmd != 1:
        client.sendall(b"\x05\x07\x00\x01" + b"\x00" * 6)
        client.close()
        return
    upstream = socket.create_connection((host, port))
    client.sendall(b"\x05\x00\x00\x01" + socket.inet_aton("127.0.0.1") + struct.pack("!H", 0))
    log("SOCKS5 %s:%d" % (host, port))
    relay(client, upstream)


def http(client, first):
    data = first
    while b"\r\n\r\n" not in data:
        chunk = client.recv(65536)
        if not chunk:
            client.close()
            return
        data += chunk
    line = data.split(b"\r\n", 1)[0].decode("latin-1")
    method, target, _version = line.split(" ", 2)
    if method == "CONNECT":
        host, port = target.rsplit(":", 1)
        upstream = socket.create_connection((host, int(port)))
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        log("CONNECT " + target)
        head, rest = data.split(b"\r\n\r\n", 1)
        relay(client, upstream, rest)
        return
    # Absolute-form: http://host:port/path. Origin servers accept it as is.
    hostport = target.split("://", 1)[1].split("/", 1)[0]
    host, _, port = hostport.partition(":")
    upstream = socket.create_connection((host, int(port or 80)))
    log("HTTP " + line)
    relay(client, upstream, data)


def handle(client):
    try:
        first = client.recv(1)
        if not first:
            client.close()
        elif first == b"\x05":
            socks5(client)
        else:
            http(client, first)
    except OSError:
        client.close()


def main():
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    log("LISTENING %d" % server.getsockname()[1])
    while True:
        client, _ = server.accept()
        threading.Thread(target=handle, args=(client,), daemon=True).start()


if __name__ == "__main__":
    main()
