#!/bin/bash
# POST /submit: what is sealed (checked by opening the export), and every
# refusal: empty, honeypot, CSRF, too large (announced and streamed),
# disk floor and upload limit. Nothing is stored unless it answers 200.
. "$(dirname "$0")/lib.sh"

sd_newsroom
sd_conf "$data" max_upload_mb 1
sd_start "$data"
sd_source

complete() { sd_sql "$data" "SELECT count(*) FROM submissions"; }
stored_nothing() {
	[ "$(complete)" = "$1" ] || fail "$2: a submission was stored"
}

# A message with two files, an empty file (ignored) and names in UTF-8.
printf 'first file\n' >"$SD_TMP/a.txt"
head -c 200000 /dev/urandom >"$SD_TMP/b.bin"
: >"$SD_TMP/empty"
msg='Жолдастар, 你好 <b>&amp;'
st=$(sd_submit "$msg" -F "file=@$SD_TMP/a.txt;filename=qaraǵandy.txt" \
	-F "file=@$SD_TMP/empty" \
	-F "file=@$SD_TMP/b.bin;type=application/x-test") &&
	[ "$st" = 200 ] || fail "submit: $st"
sd_check_response "submitted"
grep -q 'few days' "$SD_BODY" || fail "no word on what happens next"
stored_nothing 1 "the first"

# Only a file, then only a message.
st=$(sd_req GET /submit) && csrf=$(sd_csrf)
st=$(sd_req POST /submit -F "csrf=$csrf" -F "file=@$SD_TMP/a.txt") &&
	[ "$st" = 200 ] || fail "a file alone: $st"
st=$(sd_submit "just words") && [ "$st" = 200 ] || fail "words alone: $st"

# Refusals.
expect_refusal() { # status, what, curl args after the token...
	want=$1 what=$2
	shift 2
	st=$(sd_req GET /submit) && csrf=$(sd_csrf)
	before=$(complete)
	st=$(sd_req POST /submit -F "csrf=$csrf" "$@")
	[ "$st" = "$want" ] || fail "$what: $st, not $want"
	sd_check_response "$what"
	stored_nothing "$before" "$what"
}
expect_refusal 400 "nothing at all" --form-string "message="
expect_refusal 400 "white space" --form-string "message=  
	  "
expect_refusal 400 "an empty file" --form-string "message=" \
	-F "file=@$SD_TMP/empty"
expect_refusal 400 "the honeypot" -F "website=http://spam" \
	--form-string "message=buy now"
expect_refusal 400 "the honeypot after the files" \
	--form-string "message=buy now" -F "file=@$SD_TMP/b.bin" \
	-F "website=x"
before=$(complete)
st=$(sd_req POST /submit --form-string "message=no token") &&
	[ "$st" = 403 ] || fail "no token: $st"
st=$(sd_req GET /submit) && csrf=$(sd_csrf)
st=$(sd_req POST /submit --form-string "message=early" -F "csrf=$csrf") &&
	[ "$st" = 403 ] || fail "data before the token: $st"
# The last digit changed, always to another one.
case $csrf in *0) wrong=${csrf%?}1 ;; *) wrong=${csrf%?}0 ;; esac
st=$(sd_req POST /submit -F "csrf=$wrong" --form-string "message=x") &&
	[ "$st" = 403 ] || fail "a wrong token: $st"
st=$(sd_req POST /submit --data "csrf=$csrf&message=x") &&
	[ "$st" = 400 ] || fail "not multipart: $st"
stored_nothing "$before" "token refusals"

# Broken multipart bodies: refused whole, nothing kept.
b=XyZzy12345
raw() { # what, body (printf format), args
	what=$1 fmt=$2
	shift 2
	# shellcheck disable=SC2059
	printf -- "$fmt" "$@" >"$SD_TMP/raw.bin"
	st=$(sd_req POST /submit --data-binary "@$SD_TMP/raw.bin" \
		-H "Content-Type: multipart/form-data; boundary=$b")
	case $st in 400 | 403) ;; *) fail "$what: $st" ;; esac
	sd_check_response "$what"
	stored_nothing "$before" "$what"
}
part='--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
raw "garbage" 'garbage\r\n'
raw "no boundary at all" "$part" x csrf "$csrf"
raw "cut off" "$part--%s\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\nhello" \
	$b csrf "$csrf" $b
raw "junk after the end" "$part$part--%s--\r\njunk" $b csrf "$csrf" $b message hi $b
raw "a part without a name" "$part--%s\r\nX: y\r\n\r\nhello\r\n--%s--\r\n" \
	$b csrf "$csrf" $b $b
raw "no header end" "$part--%s\r\nContent-Disposition: form-data; name=\"message\"" \
	$b csrf "$csrf" $b

# Too large, announced: refused before the body is sent.
head -c 3000000 /dev/urandom >"$SD_TMP/big.bin"
st=$(sd_req GET /submit) && csrf=$(sd_csrf)
out=$(curl -sS --max-time 30 -b "$SD_JAR" -o "$SD_BODY" -D "$SD_HDRS" \
	-H 'Expect: 100-continue' -w '%{http_code} %{size_upload}' \
	-F "csrf=$csrf" -F "file=@$SD_TMP/big.bin" "$SD_URL/submit")
[ "${out% *}" = 413 ] || fail "announced, too large: $out"
[ "${out#* }" -lt 1000000 ] || fail "the body was read anyway: $out"
sd_check_response "413"
stored_nothing "$before" "413"

# Too large, streamed in chunks with no length announced.
st=$(sd_req POST /submit -H 'Transfer-Encoding: chunked' \
	-F "csrf=$csrf" -F "file=@$SD_TMP/big.bin") &&
	[ "$st" = 413 ] || fail "chunked, too large: $st"
stored_nothing "$before" "chunked 413"
[ "$(sd_sql "$data" "SELECT count(*) FROM chunks")" -gt 0 ] ||
	fail "no chunks at all?"
[ "$(sd_sql "$data" "SELECT count(*) FROM submissions WHERE complete = 0")" \
	= 0 ] || fail "an incomplete submission was left behind"

# What was sealed opens to exactly what was sent.
"$SD_BIN" --data "$data" export --out "$SD_TMP/export.bundle" ||
	fail "export"
"$SD_TOOL" open-export "$keys" "$SD_TMP/export.bundle" >"$SD_TMP/opened" ||
	fail "open-export"
[ "$(grep -c '^sub ' "$SD_TMP/opened")" = 3 ] || fail "not 3 submissions"
first=$(grep '^sub ' "$SD_TMP/opened" | head -n 1)
want="message//$(printf '%s' "$msg" | sd_hash)"
want="$want file/qaraǵandy.txt/$(sd_hash "$SD_TMP/a.txt")"
want="$want file/b.bin/$(sd_hash "$SD_TMP/b.bin")"
[ "$(echo "$first" | cut -d' ' -f4-)" = "$want" ] ||
	fail "sealed contents differ: $first"
grep -q "^sub [0-9a-f]* [0-9a-f]* file/a.txt/$(sd_hash "$SD_TMP/a.txt")\$" \
	"$SD_TMP/opened" || fail "the file alone"
grep -q "message//$(printf 'just words' | sd_hash)\$" "$SD_TMP/opened" ||
	fail "the message alone"
sd_stop

# Only so many uploads at once; a dropped upload leaves nothing.
sd_conf "$data" max_concurrent_uploads 1
sd_conf "$data" max_upload_mb 10
sd_start "$data"
rm -f "$SD_JAR"
st=$(sd_login "$codename") && [ "$st" = 303 ] || fail "login: $st"
st=$(sd_req GET /submit) && csrf=$(sd_csrf)
before=$(complete)
curl -sS --max-time 30 -b "$SD_JAR" -o /dev/null --limit-rate 200K \
	-F "csrf=$csrf" -F "file=@$SD_TMP/big.bin" "$SD_URL/submit" &
slow=$!
sleep 1.5
st=$(sd_req POST /submit -F "csrf=$csrf" --form-string "message=x") &&
	[ "$st" = 503 ] || fail "a second upload at once: $st"
[ "$(sd_header Retry-After)" = 60 ] || fail "503 without Retry-After"
sd_check_response "503 uploads"
kill "$slow"
wait "$slow" 2>/dev/null
sleep 0.5
stored_nothing "$before" "a dropped upload"
[ "$(sd_sql "$data" "SELECT count(*) FROM submissions WHERE complete = 0")" \
	= 0 ] || fail "a dropped upload left rows"
st=$(sd_submit "after the drop") && [ "$st" = 200 ] ||
	fail "the slot was not given back: $st"
sd_stop

# Below the disk floor, submissions are refused.
sd_conf "$data" disk_floor_mb 16777216
sd_start "$data"
rm -f "$SD_JAR"
st=$(sd_login "$codename") && [ "$st" = 303 ] || fail "login: $st"
before=$(complete)
st=$(sd_submit "no room") && [ "$st" = 503 ] || fail "disk floor: $st"
[ "$(sd_header Retry-After)" = 60 ] || fail "503 without Retry-After"
sd_check_response "503 disk"
stored_nothing "$before" "disk floor"
sd_stop
echo ok
