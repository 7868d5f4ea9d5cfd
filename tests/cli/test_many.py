"""10,000 JSON-lines articles through `newsd process` on stdin: one event
each, in order. Under the sanitizer build this is also the leak check
(LeakSanitizer makes the process exit non-zero on a leak)."""
import json

from ndtest import check, finish, process, save_events

N = 10000
lines = []
for i in range(N):
    lines.append(json.dumps({
        "id": i,
        "title": "Article %d about the harbour" % i,
        "text": "The council met on Tuesday.\n\nIt approved item %d of the "
                "budget and adjourned." % i,
        "url": "https://news.example.com/a/%d?utm_source=feed" % i,
        "date_publish": "2023-03-01 12:00:00",
    }))
rc, events, err = process(["--format", "json"],
                          stdin=("\n".join(lines) + "\n").encode(),
                          tag="many", timeout=600, save=False)
save_events(events[:200], "many")
check(rc == 0, "exit 0 (stderr: %s)" % err.strip()[:300])
check(len(events) == N, "%d events for %d articles" % (len(events), N))
ids = [e["article"]["altIds"][0]["value"] for e in events]
check(ids == [str(i) for i in range(N)], "events in input order")
check(all(e["article"]["uri"] == "https://news.example.com/a/%d" % i
          for i, e in enumerate(events)), "every uri is the canonical URL")
finish()
