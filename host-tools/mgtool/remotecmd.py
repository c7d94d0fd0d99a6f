"""`mgtool remote`: the command console of a board, reached through the tunnel
(its tunnel address, TCP). One JSON object per line each way; answers are
parsed strictly and never evaluated."""
import json
import socket
import sys

from .errors import MgError

MAX_ANSWER = 64 * 1024


def _answer(f, where):
    line = f.readline(MAX_ANSWER + 1)
    if not line:
        raise MgError("%s closed the console without answering" % where)
    if len(line) > MAX_ANSWER or not line.endswith(b"\n"):
        raise MgError("%s sent an answer that is too long or cut off" % where)
    try:
        ans = json.loads(line)
    except ValueError:
        raise MgError("%s sent something that is not JSON: %r" % (where, line[:80])) from None
    if not isinstance(ans, dict) or not isinstance(ans.get("ok"), bool):
        raise MgError("%s sent an answer without \"ok\": %r" % (where, line[:80]))
    for k in ("out", "error"):
        if k in ans and not isinstance(ans[k], (str, type(None))):
            raise MgError("%s sent a non-text %r" % (where, k))
    return ans


def request(host, port, req, timeout):
    where = "the board at %s port %d" % (host, port)
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.sendall((json.dumps(req) + "\n").encode())
            with s.makefile("rb") as f:
                return _answer(f, where)
    except socket.timeout:
        raise MgError("%s did not answer within %g s (is the tunnel up?)" % (where, timeout)) from None
    except OSError as e:
        raise MgError("cannot reach %s: %s (is the tunnel up and the console enabled?)"
                      % (where, e.strerror or e)) from None


def run(args):
    if (args.exec is None) == (not args.stats):
        raise MgError("give either --exec CODE or --stats")
    req = {"stats": True} if args.stats else {"exec": args.exec}
    ans = request(args.host, args.tcp_port, req, args.timeout)
    if args.stats:
        if not ans["ok"] or not isinstance(ans.get("stats"), dict):
            raise MgError("the board refused: %s" % ans.get("error"))
        print(json.dumps(ans["stats"], indent=2, sort_keys=True))
        return
    sys.stdout.write(ans.get("out") or "")
    if not ans["ok"]:
        raise MgError("the board refused or the code raised: %s" % ans.get("error"))
