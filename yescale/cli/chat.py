"""``yescale chat "prompt"``: one question to any model, the answer streamed to stdout."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .output import usd
from .runtime import ACCESS_KEY_ENV, API_KEY_ENV, runtime

if TYPE_CHECKING:
    from ..costs import Cost

__all__ = ["DEFAULT_MODEL", "chat", "describe_cost"]

DEFAULT_MODEL = "gpt-4o-mini"


def chat(
    ctx: typer.Context,
    prompt: Annotated[str, typer.Argument(help="What to ask; '-' reads it from stdin.")],
    model: Annotated[
        str, typer.Option("--model", "-m", help="Any model YEScale serves (yescale models).")
    ] = DEFAULT_MODEL,
    system: Annotated[
        str | None, typer.Option("--system", "-s", help="A system message to send first.")
    ] = None,
    temperature: Annotated[
        float | None, typer.Option(min=0.0, help="Sampling temperature (model default).")
    ] = None,
    max_tokens: Annotated[
        int | None, typer.Option(min=1, help="The most tokens the answer may have.")
    ] = None,
    cost: Annotated[
        bool,
        typer.Option(
            "--cost",
            help=f"Print the call's cost on stderr at the end (prices need {ACCESS_KEY_ENV}).",
        ),
    ] = False,
) -> None:
    """Ask any model; the answer is streamed to stdout as it comes."""
    rt = runtime(ctx)
    text = sys.stdin.read() if prompt == "-" else prompt
    if not text.strip():
        raise typer.BadParameter("the prompt is empty.", param_hint="PROMPT")
    messages = [{"role": "user", "content": text}]
    if system:
        messages.insert(0, {"role": "system", "content": system})
    params: dict[str, Any] = {"temperature": temperature, "max_tokens": max_tokens}
    params = {k: v for k, v in params.items() if v is not None}
    needs = (API_KEY_ENV, ACCESS_KEY_ENV) if cost else (API_KEY_ENV,)
    spent: Cost | None = None
    with rt.client(*needs, command=ctx.command_path) as client:
        if cost:
            from ..costs import load_prices

            rt.credential = ACCESS_KEY_ENV
            load_prices(client)
        rt.credential = API_KEY_ENV
        wrote = False
        try:
            for chunk in client.chat.stream(model=model, messages=messages, **params):
                for choice in chunk.choices:
                    if choice.delta.content:
                        typer.echo(choice.delta.content, nl=False)
                        wrote = True
                if chunk.cost is not None:
                    spent = chunk.cost
        finally:
            if wrote:
                typer.echo()  # the answer ends its line, also when the stream is cut short
    if cost:
        rt.note(describe_cost(spent, model))


def describe_cost(spent: Cost | None, model: str) -> str:
    """``cost: $0.0000068 (gpt-4o-mini: 9 tokens in, 9 out)``, or why it is unknown."""
    if spent is None:
        return f"cost: unknown ({model}: the answer did not say how many tokens it used)"
    if spent.usd is None:
        return f"cost: unknown ({spent.reason or 'no price'})"
    if spent.basis == "request":
        what = f"{spent.units} request" + ("s" if spent.units != 1 else "")
    else:
        what = f"{spent.input_tokens:,} tokens in, {spent.output_tokens:,} out"
    return f"cost: {usd(spent.usd)} ({spent.model}: {what})"
