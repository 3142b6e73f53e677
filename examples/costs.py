"""Costs and budgets: what each answer cost, the totals of a block, a runaway loop stopped by a
budget before it spends more, and the estimate checked against the service's own logs.

python examples/costs.py            # offline: replays recorded answers
YESCALE_API_KEY=... YESCALE_ACCESS_KEY=... python examples/costs.py   # live (the access key
                                    # reads the price catalog and the logs: the System API)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _offline

with _offline.exit_if_missing(__name__):  # run as a script: one line naming what to install
    from langchain_yescale import ChatYEScale, get_yescale_callback
    from yescale import BudgetExceededError, YEScaleClient

#: The time window the offline run reconciles (that of its recorded log rows).
RECORDED_WINDOW = (1761523200, 1761609600)


def run(live: bool = False) -> dict[str, Any]:
    """The demo itself; returns what it showed so the test suite can check it."""
    llm = ChatYEScale(model="gpt-4o-mini", temperature=0)
    started = int(time.time()) - 5

    with get_yescale_callback() as cb:  # loads the prices from the model catalog
        reply = llm.invoke("Say hello.")
        for _chunk in llm.stream("Say hello."):
            pass
    cost = reply.response_metadata["cost"]
    print(
        f"one answer   -> ${cost['usd']:.8f} ({cost['input_tokens']} in, "
        f"{cost['output_tokens']} out, {cost['basis']})"
    )
    print(
        f"the block    -> {cb.successful_requests} requests, {cb.total_tokens} tokens, "
        f"${cb.total_cost:.8f}"
    )

    # an agent loop that would never stop, capped at three answers' worth
    sent = 0
    with get_yescale_callback(budget_usd=2.5 * cost["usd"]) as capped:
        try:
            while True:
                llm.invoke("Again.")
                sent += 1
        except BudgetExceededError as stop:
            print(f"budget       -> stopped after {sent} calls: {stop}")

    # the estimate against what the service's logs say it charged
    window = (started, int(time.time()) + 5) if live else RECORDED_WINDOW
    with YEScaleClient() as client:
        if live:
            time.sleep(5)  # the gateway writes its log rows after answering
        report = client.system.reconcile(
            capped.tracker, start_timestamp=window[0], end_timestamp=window[1]
        )
    print("reconcile    ->")
    print(report.summary())
    return {"reply": reply, "block": cb, "capped": capped, "sent": sent, "report": report}


if __name__ == "__main__":
    with _offline.live_or_replay("costs") as live:
        run(live)
