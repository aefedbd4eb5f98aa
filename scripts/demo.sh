#!/bin/sh
# make demo: a throw-away newsroom key and drop under ./demo/, served on
# 127.0.0.1:8080, or on the address given (`make demo LISTEN=ADDR:PORT`).
# Everything here is for trying sealdrop out on one machine; a real
# newsroom keeps the secret key on an air-gapped machine.
set -eu
build=${1:-build}
listen=${2:-${LISTEN:-127.0.0.1:8080}}
demo=demo
admin="$build/sealdrop-admin --home $demo/admin --passphrase-file $demo/passphrase"
drop="$build/sealdrop --data $demo/data"

mkdir -p "$demo"
chmod 700 "$demo"
if [ ! -f "$demo/passphrase" ]; then
	# Seven random words of the codename list, in a file: fine for a
	# demo, never for a newsroom (keygen --generate-passphrase shows a
	# passphrase once, to be written on paper).
	umask 077
	awk -F '\t' 'NF == 2 { print $2 }' crypto/eff_large_wordlist.txt |
		shuf -n 7 | paste -s -d ' ' > "$demo/passphrase"
fi
[ -f "$demo/admin/newsroom.key" ] || $admin keygen
[ -f "$demo/data/drop.db" ] || $drop init --pubkey "$demo/admin/newsroom.pub"
# The drop key's fingerprint, which the first import must be told to
# trust (in a newsroom it comes from the server's operator by voice).
fpr=$($drop status | sed -n 's/^drop key [0-9a-f]* fingerprint //p' |
	tr -d ' ')

cat <<TXT

sealdrop demo
  Open http://$listen/ (ideally in Tor Browser, Safest setting).
  Submit something, then read it as the journalist would: open a second
  terminal in this directory (export and import work while the drop
  runs; Ctrl-C here stops it) and run

    $drop export --out $demo/export.bundle
    $admin import $demo/export.bundle --trust $fpr
    $admin list
    $admin read ID

  The first import pins the drop's key (--trust, with the fingerprint
  \`sealdrop status\` prints); later imports need no --trust.

  Reply with:
    echo 'Thank you.' > $demo/reply.txt
    $admin reply SOURCE --message-file $demo/reply.txt
    $admin outbox --out $demo/outbox.bundle
    $drop import $demo/outbox.bundle

  The journalist's guide, docs/journalist-guide.md, explains each step.
  Remove everything with: rm -rf $demo

TXT
exec $drop serve --listen "$listen"
