"""A POSIX shell on a console (OpenWrt's busybox ash), driven without parsing prompts.

Every command is wrapped in two random markers; the second carries `$?`. The markers are typed
split in two (`printf '%s%s' A B`), so the terminal's echo of the command line never matches
the marker the shell prints.
"""
import base64
import hashlib
import re
import secrets
import time

from .errors import MgError

CHUNK = 2250            # raw bytes per data line: 3000 base64 characters, under the tty's 4095


class CommandFailed(MgError):
    def __init__(self, cmd, code, output):
        self.code = code
        self.output = output
        last = output.strip().splitlines()[-1] if output.strip() else "no output"
        super().__init__("`%s` failed on the device (exit %d): %s" % (cmd, code, last))


def quote(s):
    return "'" + str(s).replace("'", "'\\''") + "'"


class Shell:
    def __init__(self, link):
        self.link = link
        self.newline = "\r"         # what Enter sends on a console; a pipe wants "\n"

    # --- session --------------------------------------------------------------------------------
    def login(self, user="root", password=None, timeout=None):
        """Reach a shell: answer login/password prompts, then prove it by a marker the shell prints.

        No prompt is trusted: a console may echo, repeat prompts, hold stale output from an
        earlier session or be slow (115200 baud, a busy router). Once the line shows anything
        but a login question, a probe `printf '%s%s\\n' A B` is typed (again each quiet round);
        the shell is ready when the joined marker AB comes back (its echo shows `A B` only).
        Each step gets `timeout` seconds; a login step taken starts a new wait.
        """
        link = self.link
        wait = timeout or link.timeout
        a, b = secrets.token_hex(4), secrets.token_hex(4)
        marker = (a + b).encode()
        probe = ("printf '%%s%%s\\n' %s %s%s" % (a, b, self.newline)).encode()
        link.write(b"\x03\r")                  # abandon a half-typed line, wake the console
        deadline = time.monotonic() + wait
        seen = b""
        sent_user = sent_pw = False
        answered = False                        # a name or password went out: wait, do not poke
        while marker not in seen:
            if time.monotonic() > deadline:
                last = seen.decode("ascii", "replace")[-60:]
                raise MgError("no shell prompt on %s (is it a router console at the right baud rate?); "
                              "last seen: %r" % (link.port, last))
            chunk = self._quiet_read(0.5)
            seen = (seen + chunk)[-8192:]
            if marker in seen:
                break
            if b"Login incorrect" in chunk and sent_pw:
                raise MgError("login as %r on %s was refused (wrong password?)" % (user, link.port))
            # Line editors ask for the cursor position (ESC [ 6 n) after the prompt: ignore escapes.
            tail = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", seen).rstrip(b" ")
            if not chunk:
                if not answered:
                    link.write(b"\r" if not seen else probe)
                continue
            answered = False
            if tail.endswith(b"login:"):
                link.write(user.encode() + b"\r")
                sent_user, sent_pw, seen, answered = True, False, b"", True
                deadline = time.monotonic() + wait
            elif tail.endswith(b"Password:"):
                if not sent_user:
                    link.write(b"\r")          # a prompt for nobody in particular: let it fail over
                else:
                    pw = password.get("Password for %s on %s: " % (user, link.port)) \
                        if hasattr(password, "get") else password
                    if pw is None:
                        raise MgError("the console on %s asks for a password; give --password-file FILE, "
                                      "set MGTOOL_PASSWORD, or run mgtool in a terminal to be asked" % link.port)
                    link.write(pw.encode() + b"\r")
                    sent_user, sent_pw, answered = False, True, True
                    deadline = time.monotonic() + wait
                seen = b""
            elif tail.endswith(b"activate this console."):
                link.write(b"\r")
                seen = b""
            else:
                link.write(probe)             # a shell prompt, or noise: ask the shell itself
        code, _ = self.run("true", check=False, timeout=wait)
        if code != 0:
            raise MgError("the console on %s does not run shell commands" % link.port)

    def _quiet_read(self, quiet):
        """Everything that arrives until the line has been quiet for `quiet` seconds (at most 3 s)."""
        link = self.link
        got = b""
        end = time.monotonic() + 3.0
        last = time.monotonic()
        while time.monotonic() < end and time.monotonic() - last < quiet:
            link._fill(True)
            if link.buf:
                got += link.buf
                link.buf = b""
                last = time.monotonic()
        return got

    def start_plain(self):
        """A shell on pipes (ssh ... sh): no prompt, no login; prove it runs commands."""
        self.newline = "\n"
        code, _ = self.run("true", check=False, timeout=self.link.timeout)
        if code != 0:
            raise MgError("%s does not run shell commands" % self.link.port)

    def run(self, cmd, check=True, timeout=None, data_line=None):
        """Run `cmd`; returns (exit code, output). With check, a nonzero exit raises CommandFailed.

        `data_line` is sent once the command runs, so it reaches the command's stdin through the
        kernel's line discipline (4095 characters) rather than the shell's line editor (often 512).
        """
        a, b, c = (secrets.token_hex(4) for _ in range(3))
        # One line: the tty echoes all of it before the shell reads it, so the echo never
        # lands inside the command's output.
        line = "printf '%%s%%s\\n' %s %s; %s; printf '\\n%%s%%s %%s\\n' %s %s $?%s" % (
            a, b, cmd, a, c, self.newline)
        self.link.write(line.encode())
        start = (a + b).encode()
        self.link.read_until(start, timeout=timeout, what="the start of `%s`" % cmd[:40])
        self.link.read_until(b"\n", timeout=timeout, what="the start of `%s`" % cmd[:40])
        if data_line is not None:
            self.link.write((data_line + self.newline).encode())
        end_re = re.compile(rb"\n" + (a + c).encode() + rb" (\d+)\r?\n")
        body, _ = self.link.read_until((a + c).encode(), timeout=timeout, what="the end of `%s`" % cmd[:40])
        tail, _ = self.link.read_until(b"\n", timeout=5, what="an exit code")
        m = end_re.search(b"\n" + (a + c).encode() + tail)
        if not m:
            raise MgError("garbled reply from the device for `%s`" % cmd[:40])
        out = body[:-len(a + c)].replace(b"\r\n", b"\n")
        if out.endswith(b"\n"):
            out = out[:-1]
        out = out.decode("utf-8", "replace")
        code = int(m.group(1))
        if check and code != 0:
            raise CommandFailed(cmd[:60], code, out)
        return code, out

    def out(self, cmd, timeout=None):
        return self.run(cmd, timeout=timeout)[1].strip()

    # --- files ----------------------------------------------------------------------------------
    _has_base64 = None

    def has_base64(self):
        if self._has_base64 is None:
            code, out = self.run("echo TUc= | base64 -d 2>/dev/null", check=False)
            self._has_base64 = code == 0 and out == "MG"
        return self._has_base64

    def _chunk_cmd(self, piece, chunk_file, tmp):
        """(command, data line) that append `piece` to `tmp` only if it arrived intact."""
        if self.has_base64():
            line = base64.b64encode(piece).decode()
            decode = "base64 -d < %s.in" % quote(chunk_file)
        else:
            line = "".join(chr(c) if 32 <= c < 127 and c not in b"'%\\" else "\\%03o" % c for c in piece)
            decode = "printf \"$(cat %s.in)\"" % quote(chunk_file)
        cmd = ("head -n 1 > %s.in && %s > %s && [ \"$(sha256sum < %s | cut -c1-64)\" = %s ] && cat %s >> %s"
               % (quote(chunk_file), decode, quote(chunk_file), quote(chunk_file),
                  hashlib.sha256(piece).hexdigest(), quote(chunk_file), quote(tmp)))
        return cmd, line

    def sha256(self, path):
        code, out = self.run("sha256sum %s 2>/dev/null" % quote(path), check=False)
        return out.split()[0] if code == 0 and out.split() else None

    def free_bytes(self, directory):
        """Free bytes where `directory` lives, or None when the device cannot tell."""
        code, out = self.run("df -k %s 2>/dev/null | tail -n 1" % quote(directory), check=False)
        fields = out.split()
        try:
            return int(fields[-3]) * 1024
        except (IndexError, ValueError):
            return None

    def push(self, data, dest, mode=0o644, progress=None):
        """Write `data` to `dest` atomically (temp file + rename), verified by SHA-256.

        Returns "unchanged", "resumed" or "written". A temp file left by an interrupted push
        is continued when its content is a prefix of `data`.
        """
        want = hashlib.sha256(data).hexdigest()
        if self.sha256(dest) == want:
            if progress:
                progress(len(data))
            return "unchanged"
        tmp = dest + ".mgpart"
        chunk_file = dest + ".mgchunk"
        directory = dest.rsplit("/", 1)[0] or "/"
        self.run("mkdir -p %s" % quote(directory))
        have = 0
        code, out = self.run("wc -c < %s" % quote(tmp), check=False)
        if code == 0 and out.strip().isdigit():
            have = int(out.strip())
            if have > len(data) or self.out("head -c %d %s | sha256sum" % (have, quote(tmp))).split()[0] \
                    != hashlib.sha256(data[:have]).hexdigest():
                have = 0
        status = "resumed" if have else "written"
        if not have:
            self.run("rm -f %s; : > %s" % (quote(tmp), quote(tmp)))
        free = self.free_bytes(directory)
        if free is not None and free < len(data) - have + 4096:
            self.run("rm -f %s %s" % (quote(tmp), quote(chunk_file)), check=False)
            raise MgError("not enough space on the device for %s (%d bytes); nothing was changed" % (dest, len(data)))
        if progress:
            progress(have)
        pos = have
        # A data line stays under the tty's 4095 characters: base64 is 4/3, printf escapes up to 4.
        step = CHUNK if self.has_base64() else 1000
        while pos < len(data):
            piece = data[pos:pos + step]
            cmd, line = self._chunk_cmd(piece, chunk_file, tmp)
            for attempt in range(3):
                code, _ = self.run(cmd, check=False, data_line=line)
                if code == 0:
                    break
                # The append may have failed half-way (disk full): cut the temp file back.
                size = self.out("wc -c < %s" % quote(tmp))
                if size.isdigit() and int(size) != pos:
                    self.run("head -c %d %s > %s && mv %s %s" % (pos, quote(tmp), quote(chunk_file),
                                                               quote(chunk_file), quote(tmp)), check=False)
            else:
                self.run("rm -f %s %s" % (quote(tmp), quote(chunk_file)), check=False)
                raise MgError("writing %s on the device failed (disk full?); nothing was changed" % dest)
            pos += len(piece)
            if progress:
                progress(len(piece))
        self.run("rm -f %s %s.in" % (quote(chunk_file), quote(chunk_file)), check=False)
        got = self.sha256(tmp)
        if got != want:
            self.run("rm -f %s" % quote(tmp), check=False)
            raise MgError("%s arrived corrupted on the device (sha256 %s, want %s)" % (dest, got, want))
        self.run("chmod %o %s && mv -f %s %s" % (mode, quote(tmp), quote(tmp), quote(dest)))
        if self.sha256(dest) != want:
            raise MgError("%s does not verify after the rename" % dest)
        return status
