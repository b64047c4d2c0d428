#!/usr/bin/env python3
"""Bytes of one 5,000-row Dataverse mailbox page as the tool requests it, raw and gzipped.

Starts `ssync-doctor sim serve --mailboxes 5000` (the binary given, default
target/debug/ssync-doctor), signs in with the simulator's test secret, fetches the first
mailboxes page with the tool's own $select and Prefer header, and prints its size raw and
gzip-compressed at levels 1, 6 and 9 (the service's level is not published; 6 is zlib's
default). Not part of CI; the figures are in docs/performance.md.
"""
import gzip
import json
import shlex
import subprocess
import sys
import urllib.parse
import urllib.request

BINARY = sys.argv[1] if len(sys.argv) > 1 else "target/debug/ssync-doctor"
# The tool's MAILBOX_COLUMNS (crates/m365/src/decode.rs).
COLUMNS = (
    "mailboxid,name,emailaddress,_regardingobjectid_value,_emailserverprofile_value,"
    "incomingemaildeliverymethod,outgoingemaildeliverymethod,actdeliverymethod,"
    "incomingemailstatus,outgoingemailstatus,actstatus,mailboxstatus,statecode,ewsurl"
)

sim = subprocess.Popen([BINARY, "sim", "serve", "--mailboxes", "5000"], stdout=subprocess.PIPE, text=True)
try:
    line = ""
    for line in sim.stdout:
        if line.strip().startswith("AZURE_CLIENT_SECRET="):
            break
    words = shlex.split(line)
    secret = words[0].split("=", 1)[1]
    flags = {w[2:]: v for w, v in zip(words, words[1:]) if w.startswith("--")}
    org = flags["org-url"]
    form = urllib.parse.urlencode({
        "client_id": flags["client-id"],
        "client_secret": secret,
        "scope": org + "/.default",
        "grant_type": "client_credentials",
    }).encode()
    token_url = f"{flags['authority-host']}/{flags['tenant-id']}/oauth2/v2.0/token"
    token = json.load(urllib.request.urlopen(token_url, form))["access_token"]
    page = urllib.request.Request(
        f"{org}/api/data/v9.2/mailboxes?$select={COLUMNS}",
        headers={
            "Authorization": "Bearer " + token,
            "Accept": "application/json",
            "OData-MaxVersion": "4.0",
            "OData-Version": "4.0",
            "Prefer": 'odata.include-annotations="Microsoft.Dynamics.CRM.lookuplogicalname",odata.maxpagesize=5000',
        },
    )
    body = urllib.request.urlopen(page).read()
    rows = len(json.loads(body)["value"])
    print(f"rows {rows}, raw {len(body):,} bytes")
    for level in (1, 6, 9):
        packed = len(gzip.compress(body, compresslevel=level))
        print(f"gzip -{level}: {packed:,} bytes ({100 * (1 - packed / len(body)):.1f}% saved)")
finally:
    sim.terminate()
    sim.wait()
