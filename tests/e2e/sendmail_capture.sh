#!/bin/sh
# A sendmail-compatible program for the alert tests: like `sendmail -t -i`, it reads one message on stdin
# and takes the recipients from its headers, but it delivers into $SENDMAIL_CAPTURE/mail.N instead, and
# records its arguments in mail.N.args. It refuses to run without -t (recipients on the command line would
# be a different interface). SENDMAIL_FAIL=1 makes it fail like an MTA that cannot queue the mail.
set -eu
dir=${SENDMAIL_CAPTURE:?SENDMAIL_CAPTURE is not set}
has_t=0
for a in "$@"; do [ "$a" = -t ] && has_t=1; done
if [ "$has_t" != 1 ]; then
    echo "sendmail_capture: expected -t, got: $*" >&2
    exit 64
fi
if [ "${SENDMAIL_FAIL:-0}" = 1 ]; then
    cat >/dev/null
    echo "sendmail_capture: cannot queue message: Connection refused" >&2
    exit 75
fi
n=$(find "$dir" -maxdepth 1 -name 'mail.*' ! -name '*.args' | wc -l)
printf '%s\n' "$*" >"$dir/mail.$n.args"
cat >"$dir/mail.$n"
