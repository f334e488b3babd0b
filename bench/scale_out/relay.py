#!/usr/bin/python3
"""A byte-counting relay: listens on 127.0.0.1:PORT and forwards every
connection to a PostgreSQL unix socket; when a connection closes it appends
"<to_server_bytes> <to_client_bytes>" to LOG.  bench/scale_out/remote.sh puts
it between the coordinator and a data node, so it counts what crosses the
network (libpq protocol bytes, both ways).

usage: relay.py PORT SOCKET_PATH LOG
"""
import socket
import sys
import threading

port, target, log = int(sys.argv[1]), sys.argv[2], sys.argv[3]
lock = threading.Lock()


def pump(src, dst, counter, i):
    try:
        while True:
            b = src.recv(1 << 16)
            if not b:
                break
            counter[i] += len(b)
            dst.sendall(b)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(client):
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.connect(target)
    counter = [0, 0]
    t = threading.Thread(target=pump, args=(server, client, counter, 1))
    t.start()
    pump(client, server, counter, 0)
    t.join()
    client.close()
    server.close()
    with lock, open(log, "a") as f:
        f.write("%d %d\n" % (counter[0], counter[1]))


ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", port))
ls.listen(64)
while True:
    c, _ = ls.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
