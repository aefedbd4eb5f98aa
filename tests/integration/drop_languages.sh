#!/bin/bash
# Every page a source can reach, in every language: each declares its
# language and direction; a page not in English holds no Latin-script
# words but the listed proper names; on a right-to-left page every Latin
# run is isolated (<bdi>) and nothing but the codename, the login field
# and the language menu is set left to right. The operator's texts come
# per language, else as the language's translated default, never as the
# English on a page in another language.
. "$(dirname "$0")/lib.sh"

# Proper names a page may show in Latin letters: Tor Browser, the QR
# code, the IP address, the unit, and the English labels of Tor
# Browser's controls, which readers may see in English.
allowed="Tor Browser QR IP MB Safest New Identity"
langs="en kk kk-Arab ug ru zh-Hans"
rtl_langs=" kk-Arab ug "
ug_intro='بىزگە كۆرگەنلىرىڭىزنى يېزىپ يوللاڭ.'

sd_newsroom
sd_conf "$data" newsroom_name 'The Daily Post'
sd_conf "$data" intro 'Tell us what you saw.'
# Each sign-up submits at once, so one pending source fills the drop.
sd_conf "$data" max_pending_sources 1
# A Latin name inside right-to-left pages, and Uyghur's own intro.
printf 'newsroom_name.ug = The Daily Post\nintro.ug = %s\n' "$ug_intro" \
	>>"$data/sealdrop.conf"
sd_start "$data"

# The page's text as a reader meets it: the language menu (each language
# in its own script), the codename, the digits and the newsroom's replies
# (the journalist's words) left out; the aria-labels kept.
page_text() {
	tr '\n' ' ' <"$SD_BODY" |
		sed -e 's|<nav class="langs".*</nav>||' \
		    -e 's|<p id="codename">[^<]*</p>||' \
		    -e 's|<p class="digits">[^<]*</p>||' \
		    -e 's|<div class="reply">.*</div>||' \
		    -e 's|aria-label="\([^"]*\)"|>\1<|g' \
		    -e 's|<[^>]*>| |g' -e 's|&[a-z]*;| |g' -e 's|&#[0-9]*;| |g'
}

# check WHAT LANG STATUS: the last response.
check() {
	what="$2 $1" lang=$2
	[ "$st" = "$3" ] || fail "$what: $st, not $3"
	# sd_check_response's own lang test takes lowercase codes only; the
	# exact declaration is checked below.
	sed 's|<html lang="[^"]*"|<html lang="xx"|' "$SD_BODY" \
		>"$SD_TMP/lc"
	SD_BODY=$SD_TMP/lc sd_check_response "$what"
	case $rtl_langs in *" $lang "*) dir=rtl ;; *) dir=ltr ;; esac
	grep -q "<html lang=\"$lang\" dir=\"$dir\">" "$SD_BODY" ||
		fail "$what: not <html lang=\"$lang\" dir=\"$dir\">"
	[ "$lang" = en ] && return 0
	names=$allowed
	[ "$lang" = ug ] && names="$names The Daily Post"
	bad=$(page_text | grep -oE '[A-Za-z]+' | sort -u | while read -r w; do
		case " $names " in *" $w "*) ;; *) echo "$w" ;; esac
	done)
	[ -z "$bad" ] || fail "$what: Latin words: $(echo $bad)"
	[ "$dir" = rtl ] || return 0
	# Right to left: Latin only inside <bdi> (and the <title>, which
	# holds no markup); ltr only on the login field and the menu.
	left=$(tr '\n' ' ' <"$SD_BODY" |
		sed -e 's|<title>[^<]*</title>||' -e 's|<bdi>[^<]*</bdi>||g' |
		sed -e 's|<nav class="langs".*</nav>||' \
		    -e 's|<p id="codename">[^<]*</p>||' \
		    -e 's|<p class="digits">[^<]*</p>||' \
		    -e 's|<div class="reply">.*</div>||' \
		    -e 's|<[^>]*>| |g' -e 's|&[a-z]*;| |g' -e 's|&#[0-9]*;| |g' |
		grep -oE '[A-Za-z0-9]+' | tr '\n' ' ')
	[ -z "$left" ] || fail "$what: Latin not isolated: $left"
	tr '\n' ' ' <"$SD_BODY" | sed -e 's|<nav class="langs".*</nav>||' \
		-e 's|<div class="reply">.*</div>||' |
		grep -oE '<[a-z]+ [^>]*dir="(ltr|auto)"[^>]*>' |
		grep -vE '^<input type="password" id="codename"|^<textarea ' |
		grep -q . && fail "$what: an element set apart from the page's direction"
	return 0
}

# A source with a reply from the newsroom and a receipt for what it sent,
# to show in every language.
sd_source
st=$(sd_submit "for a reply") && [ "$st" = 200 ] || fail "submit: $st"
cp "$SD_JAR" "$SD_TMP/reply-jar"
"$SD_BIN" --data "$data" export --out "$SD_TMP/e" 2>/dev/null || fail "export"
"$SD_TOOL" open-export "$keys" "$SD_TMP/e" >"$SD_TMP/opened" ||
	fail "open-export"
pk=$(awk '$1 == "sub" { print $3; exit }' "$SD_TMP/opened")
sub=$(awk '$1 == "sub" { print $2; exit }' "$SD_TMP/opened")
"$SD_TOOL" outbox "$keys" "$SD_TMP/o" --reply "$pk" \
	"Спасибо. رەھمەت. 谢谢." --ack "$sub" >/dev/null || fail "outbox"
"$SD_BIN" --data "$data" import "$SD_TMP/o" 2>/dev/null || fail "import"

for l in $langs; do
	rm -f "$SD_JAR"
	st=$(sd_req GET "/?l=$l"); check landing "$l" 200
	case $l in
	en) grep -q 'Tell us what you saw.' "$SD_BODY" ||
		fail "en: not the operator's intro" ;;
	ug) grep -qF "<p class=\"intro\">$ug_intro</p>" "$SD_BODY" ||
		fail "ug: not intro.ug in the page's direction"
	    grep -q '<a href="/"><bdi>The Daily Post</bdi></a>' "$SD_BODY" ||
		fail "ug: the Latin name is not isolated" ;;
	*) grep -q 'Tell us\|Our newsroom\|Daily' "$SD_BODY" &&
		fail "$l: English operator text" ;;
	esac
	st=$(sd_req GET /login); check login "$l" 200
	st=$(sd_req GET /nothing-here); check 404 "$l" 404
	st=$(sd_req GET /new); check 405 "$l" 405
	csrf=$(sd_csrf)
	st=$(sd_req POST /login --data "csrf=$csrf&codename=$(head -c 9000 \
		/dev/zero | tr '\0' a)"); check 413 "$l" 413
	st=$(sd_req POST /submit -F "csrf=$csrf" -F "message=x")
	check "form without a session (expired)" "$l" 403
	st=$(sd_login "not a codename at all"); check "failed login" "$l" 403
	st=$(sd_req GET /); csrf=$(sd_csrf)
	st=$(sd_req POST /new --data-urlencode "csrf=$csrf")
	check codename "$l" 200
	st=$(sd_req GET /submit); check submit "$l" 200
	grep -q '<bdi>524</bdi> \(<bdi>\)\?\(MB\|МБ\)' "$SD_BODY" ||
		fail "$l: the limit is not 524 MB"
	st=$(sd_submit ""); check "empty submission" "$l" 400
	st=$(sd_submit "testimony in $l"); check submitted "$l" 200
	st=$(sd_req GET /replies); check "replies, none" "$l" 200
	csrf=$(sd_csrf)
	st=$(sd_req POST /logout --data-urlencode "csrf=$csrf")
	check logout "$l" 200
	st=$(SD_JAR=$SD_TMP/reply-jar sd_req GET "/replies?l=$l")
	check "replies, one" "$l" 200
	grep -q 'class="reply"' "$SD_BODY" || fail "$l: no reply shown"
	grep -q 'class="receipt"' "$SD_BODY" || fail "$l: no receipt shown"
done

# A full drop: one source that sent nothing fills it.
sd_new_source >/dev/null
for l in $langs; do
	rm -f "$SD_JAR"
	st=$(sd_req GET "/?l=$l"); csrf=$(sd_csrf)
	st=$(sd_req POST /new --data-urlencode "csrf=$csrf"); check 503 "$l" 503
done
sd_stop
echo ok
