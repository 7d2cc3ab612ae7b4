#!/usr/bin/env python3
"""transformers' chat-template renderer alone, one thread, on the conversations `ingot-bench chat`
renders: the render-speed peer (median of 3 passes, conversations parsed beforehand).

    python3 Benchmarks/render_peer.py CONVERSATIONS.jsonl TEMPLATE.jinja BOS EOS
"""
import json
import statistics
import sys
import time

from transformers.utils.chat_template_utils import render_jinja_template

path, template_path, bos, eos = sys.argv[1:5]
template = open(template_path, encoding="utf-8").read()
conversations = [json.loads(line) for line in open(path, encoding="utf-8")]
times = []
for _ in range(3):
    start = time.perf_counter()
    rendered = 0
    for c in conversations:
        out = render_jinja_template(conversations=[c["messages"]], tools=c.get("tools"), chat_template=template,
                                    add_generation_prompt=False, bos_token=bos, eos_token=eos)
        out = out[0] if isinstance(out, tuple) else out
        rendered += len((out[0] if isinstance(out, list) else out).encode())
    times.append(time.perf_counter() - start)
t = statistics.median(times)
print(json.dumps({"tool": "transformers", "measure": "render", "conversations": len(conversations), "rendered_MB": round(rendered / 1e6, 1),
                  "seconds": round(t, 3), "renders_per_s": round(len(conversations) / t), "MB_per_s": round(rendered / 1e6 / t, 1)}))
