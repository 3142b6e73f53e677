"""2,000 concurrent ``ChatYEScale.ainvoke`` calls through a 429 storm (issue 20): the figures.

A local server on 127.0.0.1 (``tests/faults/storm.py``) answers every request 429 with
``Retry-After: 1`` until 5 seconds after the last call's first request (however slow the client
is to start 2,000 calls, each meets five Retry-After periods of storm), then 200 with a completion
echoing each call's id, each answer after 50 ms (a model's time). One ``ChatYEScale`` (default
settings: ``max_retries=2``) sends 2,000 calls at once. Prints the wall time, the requests the
server saw (429s, 200s), the most requests any call needed, how the retries spread, the peak of
requests in flight, and lost / duplicated / failed calls; exits 1 if any call was lost,
duplicated or failed, or came back before its ``Retry-After``. ``--no-cooldown`` turns the
shared cooldown off (each call retries on its own, with jitter) for comparison. Run by
``make scale``; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.faults.storm import RETRY_AFTER_KINDS, StormServer, call_id, invoke_all
from yescale._http import cooldown


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--storm", type=float, default=5.0, help="seconds of 429s")
    parser.add_argument("--retry-after", type=float, default=1.0)
    parser.add_argument("--kind", choices=RETRY_AFTER_KINDS, default="seconds")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per answer")
    parser.add_argument("--max-retries", type=int, default=None)
    parser.add_argument("--no-cooldown", action="store_true", help="each call on its own")
    args = parser.parse_args()
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    if args.no_cooldown:
        cooldown.SHARED.limit = 0

    server = StormServer(
        storm=args.storm,
        retry_after=args.retry_after,
        kind=args.kind,
        latency=args.latency,
        expect=args.calls,
    ).start()
    llm = {} if args.max_retries is None else {"max_retries": args.max_retries}
    try:
        outcome = asyncio.run(invoke_all(server.url, args.calls, **llm))
    finally:
        server.stop()

    ids = [call_id(i) for i in range(args.calls)]
    answered = server.answered()
    lost = [i for i in ids if answered[i] == 0]
    duplicated = [i for i in ids if answered[i] > 1]
    wrong = sum(1 for got, want in zip(outcome.answers, ids, strict=True) if got != want)
    early = server.early()
    per_call = Counter(s.ident for s in server.seen)
    attempts = Counter(per_call.values())
    start = server.started or 0.0
    retries = [t - start for t in server.retries()]
    buckets = Counter(int(t * 100) for t in retries)
    errors = Counter(type(f).__name__ for f in outcome.failures)

    print(
        f"{args.calls} concurrent ChatYEScale.ainvoke, 429 (Retry-After: {args.kind}"
        f"{f' {args.retry_after:g}' if args.kind == 'seconds' else ''}) until {args.storm:g} s "
        f"after the last call's first request, answers after {args.latency * 1000:.0f} ms, "
        f"shared cooldown {'off' if args.no_cooldown else 'on'}"
    )
    print(f"  wall time            {outcome.seconds:.1f} s")
    print(
        f"  requests             {len(server.seen)} ({server.limited()} x 429, "
        f"{sum(answered.values())} x 200) over {server.connections} connections"
    )
    print(f"  requests per call    {dict(sorted(attempts.items()))} (max {max(per_call.values())})")
    if retries:
        print(
            f"  retries              {len(retries)}, sent {min(retries):.2f}-{max(retries):.2f} s "
            f"after the first request, at most {max(buckets.values())} in any 10 ms"
        )
    print(f"  peak in flight       {server.peak_in_flight} requests at the server")
    print(f"  before Retry-After   {len(early)}")
    print(
        f"  lost {len(lost)}, duplicated {len(duplicated)}, wrong answer {wrong}, failed "
        f"{len(outcome.failures)}{f' {dict(errors)}' if errors else ''}"
    )
    if server.errors:
        print(f"  server errors        {server.errors[:3]}")
    bad = lost or duplicated or wrong or outcome.failures or early or server.errors
    print("FAIL" if bad else "OK: every call answered exactly once")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
