#!/usr/bin/env python3
# Run a program under a pseudo-terminal and answer its passphrase prompts, for the tests that drive
# `age -p`, `age -d` of a passphrase file, and safedump's own terminal prompt (both read passphrases
# only from a terminal).
#   python3 tests/data/pty-run.py PASSFILE CMD [ARGS...]
# Every prompt that contains "passphrase" and ends with ':' gets the first line of PASSFILE and a newline.
# What the program writes to the terminal goes to our stderr; the exit status is the program's (124 if it
# produces nothing for 60 seconds).
import os
import pty
import re
import select
import signal
import sys


def main():
    if len(sys.argv) < 3:
        print("usage: pty-run.py PASSFILE CMD [ARGS...]", file=sys.stderr)
        return 2
    with open(sys.argv[1], "rb") as f:
        pw = f.read().split(b"\n")[0]
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execvp(sys.argv[2], sys.argv[2:])
        finally:
            os._exit(127)
    seen, sent = b"", 0
    while True:
        r, _, _ = select.select([fd], [], [], 60)
        if not r:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            print("pty-run.py: no output for 60 seconds", file=sys.stderr)
            return 124
        try:
            data = os.read(fd, 4096)
        except OSError:  # EIO: the program closed the terminal
            break
        if not data:
            break
        sys.stderr.buffer.write(data)
        sys.stderr.flush()
        seen += data
        for _ in range(len(re.findall(rb"passphrase[^\n]*:", seen, re.I)) - sent):
            os.write(fd, pw + b"\n")
            sent += 1
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
