"""An example reward worker in Python: any language with a NATS client plugs in.

It serves datarus.v1.reward.<name> in the queue group reward-<name> and speaks the
proto3 canonical JSON form of proto/datarus/v1/reward.proto (the reward service
sends it when the worker is configured with `encoding: json`). Its score: does the
last <answer> hold a single number (1.0), some other short text (0.5), or nothing
usable (0.0)? Run:  python answer_form_worker.py --nats nats://127.0.0.1:4222
"""
import argparse
import asyncio
import json
import re
import signal

import nats

ENCODING_HEADER = "datarus-encoding"
NUMBER = re.compile(r"^\$?\s?[-+]?\d[\d,]*(\.\d+)?(e[-+]?\d+)?\s?(%|[a-zA-Z]{1,5})?$")


def score(request: dict) -> dict:
    text = request.get("trajectory", "")
    start = text.rfind("<answer>")
    if start < 0:
        return {"score": 0.0, "components": [{"name": "has_answer", "value": 0.0}]}
    end = text.find("</answer>", start)
    answer = text[start + 8 : end if end >= 0 else start + 208].strip()
    numeric = len(answer) <= 40 and NUMBER.match(answer) is not None
    value = 1.0 if numeric else (0.5 if 0 < len(answer) <= 200 else 0.0)
    return {
        "score": value,
        "components": [
            {"name": "has_answer", "value": 1.0},
            {"name": "numeric", "value": 1.0 if numeric else 0.0},
        ],
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nats", default="nats://127.0.0.1:4222")
    parser.add_argument("--name", default="py-answer-form")
    args = parser.parse_args()

    nc = await nats.connect(args.nats, name=f"reward-worker-{args.name}")

    async def handle(msg) -> None:
        headers = {ENCODING_HEADER: "json"}
        try:
            if (msg.headers or {}).get(ENCODING_HEADER) != "json":
                raise ValueError("this worker reads JSON only: configure it with encoding json")
            body = score(json.loads(msg.data.decode("utf-8", errors="replace")))
        except Exception as e:  # never let one request stop the worker
            body = {"noScore": {"reason": str(e)[:500], "code": "E_BAD_MESSAGE"}}
        body["worker"] = args.name
        if msg.reply:
            await nc.publish(msg.reply, json.dumps(body).encode(), headers=headers)

    await nc.subscribe(f"datarus.v1.reward.{args.name}", queue=f"reward-{args.name}", cb=handle)
    await nc.flush()
    print("ready", flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await nc.drain()


if __name__ == "__main__":
    asyncio.run(main())
