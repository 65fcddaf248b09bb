"""Prints, for one revision, each booking endpoint's public methods (parameters, lines) and the lines of the
host's hand-written infrastructure. Read from git, so any two revisions compare without a checkout."""
import re
import subprocess
import sys

REV = sys.argv[1]

ENDPOINTS = {
    "book": "src/Host/Bookings/BookSlotEndpoint.cs",
    "team book": "src/Host/Teams/BookTeamSlotEndpoint.cs",
    "reschedule": "src/Host/Bookings/RescheduleBookingEndpoint.cs",
    "cancel": "src/Host/Bookings/CancelBookingEndpoint.cs",
}

# Caches, turns, the group-committing recorder, memory trim, lock keys, idempotency, rate limits, the analytics rebuild
# and the counting projection: the infrastructure issue 29 asked to shrink or justify.
INFRASTRUCTURE = [
    "src/Host/Availability/PublicPageCache.cs", "src/Host/Availability/TakenTimeCache.cs",
    "src/Host/Availability/TakenTimeListener.cs", "src/Projections/Bookings/TakenTimeNotifications.cs",
    "src/Host/Bookings/BookingTurns.cs", "src/Host/Analytics/FunnelRecorder.cs", "src/Host/Health/IdleMemoryTrim.cs",
    "src/Projections/AdvisoryLocks.cs", "src/Projections/DocumentLocks.cs",
    "src/Host/Bookings/Idempotency.cs", "src/Host/Bookings/IdempotentWrites.cs", "src/Host/Bookings/IdempotencyRetention.cs",
    "src/Host/Api/RateLimits.cs", "src/Host/Analytics/AnalyticsRebuild.cs", "src/Projections/Analytics/FunnelProjection.cs",
]


def show(path):
    try:
        return subprocess.check_output(["git", "show", f"{REV}:{path}"], text=True, stderr=subprocess.DEVNULL)
    except subprocess.CalledProcessError:
        return None


def methods(source):
    """(name, parameters, lines) of each public static method, from its signature to its closing brace."""
    lines = source.split("\n")
    i = 0
    while i < len(lines):
        match = re.match(r"    public static (?:async )?[^=]*?\b(\w+)\s*\(", lines[i])
        if not match:
            i += 1
            continue
        signature, j, depth, first = "", i, 0, True
        while True:
            segment = lines[j][match.end() - 1:] if first else lines[j]
            first = False
            signature += segment + "\n"
            depth += segment.count("(") - segment.count(")")
            if depth <= 0:
                break
            j += 1
        depth, inner = 0, ""
        for ch in signature:
            depth += (ch == "(") - (ch == ")")
            if depth == 0 and ch == ")":
                break
            inner += ch
        inner = inner[1:]
        depth, parameters = 0, (1 if inner.strip() else 0)
        for ch in inner:
            if ch in "(<[":
                depth += 1
            elif ch in ")>]":
                depth -= 1
            elif ch == "," and depth == 0:
                parameters += 1
        end = j
        if lines[j].rstrip().endswith("=>") or "=>" in lines[j]:
            while not lines[end].rstrip().endswith(";"):
                end += 1
        else:
            while lines[end] != "    }":
                end += 1
        yield match.group(1), parameters, end - i + 1
        i = end + 1


print(f"Revision {REV}")
print("| Endpoint | Method | Parameters | Lines |")
print("| --- | --- | ---: | ---: |")
for name, path in ENDPOINTS.items():
    source = show(path)
    if source is None:
        print(f"| {name} | (no {path}) | | |")
        continue
    for method, parameters, count in methods(source):
        print(f"| {name} | {method} | {parameters} | {count} |")

total = 0
print()
print("| Infrastructure file | Lines |")
print("| --- | ---: |")
for path in INFRASTRUCTURE:
    source = show(path)
    count = 0 if source is None else source.count("\n")
    total += count
    print(f"| {path} | {count} |")
print(f"| **total** | **{total}** |")
