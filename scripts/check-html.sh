#!/bin/sh
# Checks the HTML report in a real headless browser (Debian's Chromium).
#
# Renders the sample report (crates/runner/src/report/sample.rs) with the render_report example,
# loads it with `chromium --headless --dump-dom` and reads the counts the page's script writes
# into the DOM: without a filter, with filters from the URL fragment, with skipped and passing
# results listed, and with hostile markup in the data (which must be shown, never run). At
# 800 px the page must not scroll sideways; printed to PDF, every finding's evidence and fix
# must be open (read back with pdftotext, from poppler-utils, when it is installed).
#
# Usage: scripts/check-html.sh [--screenshot PATH]
#   --screenshot PATH   also save screenshots of the page: PATH (1280x900), PATH with -800
#                       before the extension (800 px wide), and the printed PDF beside them
# Environment: CHROMIUM (default: chromium), CARGO (default: cargo).
# Needs: chromium (apt-get install -y chromium). Run as root, Chromium needs --no-sandbox then.
set -eu

screenshot=""
while [ $# -gt 0 ]; do
    case "$1" in
        --screenshot) screenshot="$2"; shift 2 ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) echo "check-html: unknown argument $1" >&2; exit 2 ;;
    esac
done

browser="${CHROMIUM:-chromium}"
cargo="${CARGO:-cargo}"
if ! command -v "$browser" >/dev/null 2>&1; then
    echo "check-html: $browser not found (apt-get install -y chromium)" >&2
    exit 2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT INT TERM
failures=0

render() { # render OUT.html [render_report flags...]
    out="$1"; shift
    "$cargo" run --quiet -p ssync-runner --example render_report -- html "$@" >"$out"
}

# Runs Chromium headless on a fresh profile; the flags keep it off the network.
chrome() {
    profile="$(mktemp -d "$work/profile.XXXXXX")"
    timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" "$@" 2>>"$work/chromium.log"
}

# The text content of the element with id $1 in the dumped DOM $2 (the ids hold plain numbers).
value() {
    grep -o "id=\"$1\">[^<]*<" "$2" | head -n 1 | sed -e 's/^[^>]*>//' -e 's/<$//'
}

expect() { # expect WHAT EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then
        echo "ok    $1 = $3"
    else
        echo "FAIL  $1: expected $2, got '$3'"
        failures=$((failures + 1))
    fi
}

# dump NAME URL-FRAGMENT HTML: writes $work/NAME.dom and checks the script ran.
dump() {
    chrome --dump-dom "file://$3$2" >"$work/$1.dom"
    if grep -q 'data-ready="true"' "$work/$1.dom"; then
        echo "ok    $1: the page's script ran"
    else
        echo "FAIL  $1: the page's script did not run (no data-ready on <body>)"
        failures=$((failures + 1))
    fi
}

render "$work/report.html"
render "$work/skipped.html" --include-skipped
render "$work/passing.html" --include-passing --include-skipped
render "$work/hostile.html" --hostile

# The report must be self-contained: no external script, style sheet, image or font.
if grep -Eiq '<(script|img|iframe)[^>]* src=|<link[^>]*href=|@import|url\(' "$work/report.html"; then
    echo "FAIL  the report loads an external asset"
    failures=$((failures + 1))
else
    echo "ok    self-contained: no external asset"
fi

# The sample has 20 mailboxes; 62 pass, 2 warn, 10 fail, 37 skip, 1 error. By default the 13
# problems are listed and the skips and passes only counted.
dump all "" "$work/report.html"
expect "all: visible results" 13 "$(value visible-count "$work/all.dom")"
expect "all: visible fail" 10 "$(value visible-fail "$work/all.dom")"
expect "all: visible warn" 2 "$(value visible-warn "$work/all.dom")"
expect "all: visible error" 1 "$(value visible-error "$work/all.dom")"
expect "all: visible skip (counted, not listed)" 0 "$(value visible-skip "$work/all.dom")"
expect "all: visible pass (not listed)" 0 "$(value visible-pass "$work/all.dom")"
expect "all: total mailboxes" 20 "$(value total-mailboxes "$work/all.dom")"
expect "all: total pass" 62 "$(value total-pass "$work/all.dom")"
expect "all: total skip" 37 "$(value total-skip "$work/all.dom")"

dump skipped "" "$work/skipped.html"
expect "--include-skipped: visible results" 50 "$(value visible-count "$work/skipped.dom")"
expect "--include-skipped: visible skip" 37 "$(value visible-skip "$work/skipped.dom")"

dump fail "#status=fail" "$work/skipped.html"
expect "#status=fail: visible results" 10 "$(value visible-count "$work/fail.dom")"
expect "#status=fail: visible skip" 0 "$(value visible-skip "$work/fail.dom")"

dump licence "#status=problems&check=missing-exchange-online-license" "$work/skipped.html"
expect "#status=problems&check=licence: visible results" 5 "$(value visible-count "$work/licence.dom")"
expect "#status=problems&check=licence: visible fail" 4 "$(value visible-fail "$work/licence.dom")"
expect "#status=problems&check=licence: visible warn" 1 "$(value visible-warn "$work/licence.dom")"

dump text "#q=frank" "$work/skipped.html"
# Frank Miller: the address-mismatch fail and the hybrid-profile skip.
expect "#q=frank: visible results" 2 "$(value visible-count "$work/text.dom")"
expect "#q=frank: visible fail" 1 "$(value visible-fail "$work/text.dom")"
expect "#q=frank: visible skip" 1 "$(value visible-skip "$work/text.dom")"

dump none "#q=no-such-mailbox" "$work/report.html"
expect "#q=no-such-mailbox: visible results" 0 "$(value visible-count "$work/none.dom")"
if grep -q '<p id="empty" class="empty">' "$work/none.dom"; then
    echo "ok    #q=no-such-mailbox: the 'no result' line shows"
else
    echo "FAIL  #q=no-such-mailbox: the 'no result' line is hidden"
    failures=$((failures + 1))
fi

# Rendered fixes and evidence: lists and tables, no raw Markdown or JSON.
if grep -q '<div class="fix"><ol>' "$work/all.dom" && ! grep -q '<pre class="fix">' "$work/all.dom"; then
    echo "ok    fixes are rendered as HTML lists"
else
    echo "FAIL  fixes are not rendered HTML lists"
    failures=$((failures + 1))
fi

# Narrow windows: the page must not scroll sideways (the script writes the overflow in px).
for width in 800 1280; do
    chrome --window-size=$width,900 --dump-dom "file://$work/skipped.html" >"$work/width-$width.dom"
    expect "width $width: horizontal overflow (px)" 0 \
        "$(grep -o 'data-overflow="[0-9]*"' "$work/width-$width.dom" | head -n 1 | tr -dc 0-9)"
done

# Printing: every finding with its evidence and fix open.
chrome --no-pdf-header-footer --print-to-pdf="$work/print.pdf" "file://$work/report.html" >/dev/null
if [ -s "$work/print.pdf" ]; then
    echo "ok    printed to PDF"
else
    echo "FAIL  printing to PDF produced nothing"
    failures=$((failures + 1))
fi
if command -v pdftotext >/dev/null 2>&1; then
    # Each of the 13 problems prints its "Fix" heading (the folded <details> would hide it).
    expect "print: findings with their fix open" 13 \
        "$(pdftotext "$work/print.pdf" - | grep -c '^Fix$')"
else
    echo "skip  print: pdftotext not installed (apt-get install -y poppler-utils)"
fi

dump passing "" "$work/passing.html"
expect "--include-passing --include-skipped: visible results" 112 "$(value visible-count "$work/passing.dom")"
expect "--include-passing --include-skipped: visible pass" 62 "$(value visible-pass "$work/passing.dom")"

dump hostile "" "$work/hostile.html"
# As text, the markup shows up in the DOM with its < escaped; run or parsed, it would leave a
# data-pwned="…" attribute on <body> or a real <b id="pwned"> element.
if grep -q 'data-pwned="' "$work/hostile.dom" || grep -q '<b id="pwned"' "$work/hostile.dom"; then
    echo "FAIL  hostile: markup from the data ran or became elements"
    failures=$((failures + 1))
else
    echo "ok    hostile: markup from the data is shown as text, not run"
fi
if grep -q '&lt;script&gt;document.body.setAttribute' "$work/hostile.dom"; then
    echo "ok    hostile: the <script> in a mailbox name is displayed escaped"
else
    echo "FAIL  hostile: the escaped mailbox name is missing from the page"
    failures=$((failures + 1))
fi

if [ -n "$screenshot" ]; then
    mkdir -p "$(dirname "$screenshot")"
    case "$screenshot" in /*) shot="$screenshot" ;; *) shot="$PWD/$screenshot" ;; esac
    narrow="${shot%.*}-800.${shot##*.}"
    chrome --hide-scrollbars --window-size=1280,900 --screenshot="$shot" "file://$work/report.html" >/dev/null
    chrome --hide-scrollbars --window-size=800,1400 --screenshot="$narrow" "file://$work/report.html" >/dev/null
    cp "$work/print.pdf" "${shot%.*}.pdf"
    if [ -s "$shot" ] && [ -s "$narrow" ]; then echo "ok    screenshots $shot, $narrow, ${shot%.*}.pdf"; else echo "FAIL  no screenshot"; failures=$((failures + 1)); fi
fi

if [ "$failures" -gt 0 ]; then
    echo "check-html: $failures check(s) failed; Chromium's log:" >&2
    tail -n 20 "$work/chromium.log" >&2
    exit 1
fi
echo "check-html: all checks passed"
