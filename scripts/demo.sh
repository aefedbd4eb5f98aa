#!/bin/sh
# make demo: a throw-away newsroom key and drop under ./demo/, served on
# 127.0.0.1:8080. Everything here is for trying sealdrop out on one machine;
# a real newsroom keeps the secret key on an air-gapped machine.
set -eu
build=${1:-build}
demo=demo
admin="$build/sealdrop-admin --home $demo/admin --passphrase-file $demo/passphrase"
drop="$build/sealdrop --data $demo/data"

mkdir -p "$demo"
chmod 700 "$demo"
if [ ! -f "$demo/passphrase" ]; then
	# A demo passphrase in a file: fine for a demo, never for a newsroom.
	umask 077
	echo "correct horse battery staple demo" > "$demo/passphrase"
fi
[ -f "$demo/admin/newsroom.key" ] || $admin keygen
[ -f "$demo/data/drop.db" ] || $drop init --pubkey "$demo/admin/newsroom.pub"

cat <<TXT

sealdrop demo
  Open http://127.0.0.1:8080/ (ideally in Tor Browser, Safest setting).
  Submit something, then read it from another terminal (export and
  import work while the drop runs; Ctrl-C stops it):

    $drop export --out $demo/export.bundle
    $admin import $demo/export.bundle
    $admin list
    $admin read ID

  Reply with:
    echo 'Thank you.' > $demo/reply.txt
    $admin reply SOURCE --message-file $demo/reply.txt
    $admin outbox --out $demo/outbox.bundle
    $drop import $demo/outbox.bundle

  Remove everything with: rm -rf $demo

TXT
exec $drop serve --listen 127.0.0.1:8080
