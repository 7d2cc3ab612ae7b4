"""Writes the seed inputs of the fuzz targets into Tests/Fuzz/corpus/<target>/ (run once; the
seeds are committed). Small on purpose: libFuzzer mutates them, and a small input runs fast.
Needs the reference libraries of Tests/Reference/requirements.txt and `zstandard`."""
import base64
import hashlib
import io
import json
import os
import struct
import tempfile

import sentencepiece
import zstandard
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
TEXTS = [
    "The quick brown fox jumps over the lazy dog. It's 2026!",
    "Données: naïve café, 日本語のテキスト, русский текст, 123 456.78",
    "def f(x):\n    return x ** 2  # comment\n\tindented\r\nline",
    "Emoji 😀👍🏽 and zero-width\u200bjoiner, <s> special </s> <|endoftext|>",
]


def write(target, name, data):
    os.makedirs(os.path.join(CORPUS, target), exist_ok=True)
    with open(os.path.join(CORPUS, target, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def jsonl():
    write("jsonl", "plain.jsonl", "".join(json.dumps({"text": t}) + "\n" for t in TEXTS))
    write("jsonl", "nested.jsonl", '{"meta": {"body": "nested \\u00e9 \\ud83d\\ude00"}, "id": 3}\n{"messages": [{"content": "hi"}, 2]}\n')
    write("jsonl", "defects.jsonl", b'{"text": 3}\n\n   \n{"text": "a\\ud800"}\n{"text": "x"} junk\n\xc3\x28\n{"text": "\\q"}\n{"a": [1, 2.5e3, -0, true, null]}')


def json_values():
    write("json", "object.json", '{"a": [1, -2.5e-3, 1e308, true, false, null, "s\\n\\u00e9"], "b": {"c": {}}, "d": []}')
    write("json", "floats.json", "[-2.0122928619384766, 0.1, 1.7976931348623157e308, 5e-324, 123456789012345678901234567890]")
    write("json", "deep.json", "[" * 40 + "]" * 40)


def tokenizer_files():
    for kind in ("bpe", "wordpiece", "unigram"):
        if kind == "bpe":
            tok = Tokenizer(models.BPE())
            tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
            tok.decoder = decoders.ByteLevel()
            trainer = trainers.BpeTrainer(vocab_size=300, special_tokens=["<s>", "</s>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
        elif kind == "wordpiece":
            tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
            tok.normalizer = normalizers.BertNormalizer()
            tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
            trainer = trainers.WordPieceTrainer(vocab_size=120, special_tokens=["[UNK]", "[CLS]", "[SEP]"])
        else:
            tok = Tokenizer(models.Unigram())
            tok.normalizer = normalizers.NFKC()
            tok.pre_tokenizer = pre_tokenizers.Metaspace()
            trainer = trainers.UnigramTrainer(vocab_size=80, special_tokens=["<unk>"], unk_token="<unk>")
        tok.train_from_iterator(TEXTS * 20, trainer)
        if kind == "wordpiece":
            tok.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 1), ("[SEP]", 2)])
        write("tokenizer-json", f"{kind}.json", tok.to_str())


def tiktoken_file():
    ranks = [bytes([b]) for b in range(256)] + [b"th", b"the", b" the", b"qu", b"ick"]
    write("tiktoken", "r50k_base.tiktoken", "".join(f"{base64.b64encode(t).decode()} {i}\n" for i, t in enumerate(ranks)))


def tekken_file():
    vocab = [{"rank": i, "token_bytes": base64.b64encode(bytes([i])).decode(), "token_str": None} for i in range(256)]
    vocab += [{"rank": 256 + i, "token_bytes": base64.b64encode(t).decode(), "token_str": t.decode()} for i, t in enumerate([b"th", b"the", b"in"])]
    special = [{"rank": i, "token_str": s, "is_control": True} for i, s in enumerate(["<unk>", "<s>", "</s>"])]
    config = {"pattern": r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+",
              "default_vocab_size": 262, "default_num_special_tokens": 3, "version": "v3"}
    write("tekken", "tekken_fuzz.json", json.dumps({"config": config, "vocab": vocab, "special_tokens": special}))


def sentencepiece_model():
    with tempfile.TemporaryDirectory() as d:
        text = os.path.join(d, "t.txt")
        open(text, "w").write("\n".join(TEXTS * 10))
        for kind in ("bpe", "unigram"):
            model = io.BytesIO()
            # The identity normalizer keeps the model small (no precompiled charsmap).
            sentencepiece.SentencePieceTrainer.train(
                input=text, model_writer=model, vocab_size=400 if kind == "bpe" else 80, model_type=kind, hard_vocab_limit=False,
                byte_fallback=kind == "bpe", minloglevel=2, character_coverage=1.0, normalization_rule_name="identity")
            write("sentencepiece", f"{kind}.model", model.getvalue())


def encode_texts():
    for i, t in enumerate(TEXTS):
        write("encode", f"text{i}.txt", t)


def shard_file():
    # 5 rows of 8 uint16 ids in frames of 2 rows: the layout FuzzTargets.shard's index declares.
    cctx = zstandard.ZstdCompressor(level=3, write_checksum=True, write_content_size=True)
    rows = [struct.pack("<8H", *range(r * 8, r * 8 + 8)) for r in range(5)]
    frames = [cctx.compress(b"".join(rows[i:i + 2])) for i in range(0, 5, 2)]
    table = struct.pack("<II", 0x184D2A5E, 8 * len(frames) + 9)
    for frame, raw in zip(frames, [32, 32, 16]):
        table += struct.pack("<II", len(frame), raw)
    table += struct.pack("<IBI", len(frames), 0, 0x8F92EAB1)
    write("shard", "five-rows.zst", b"".join(frames) + table)


def index_file():
    index = {"format": "ingot-shards", "format_version": 2, "seq_len": 8, "vocab_size": 1000, "total_rows": 5,
             "columns": {"input_ids": {"dtype": "uint16"}, "segment_ids": {"dtype": "uint16"}},
             "compression": {"codec": "zstd", "level": 3, "rows_per_frame": 2},
             "special_tokens": {"eos": 2, "pad": 0}, "tokenizer": {"name": "t.json", "sha256": "0" * 64},
             "pipeline": {"name": "fuzz", "options": {"seq_len": "8"}}, "inputs": [{"path": "a.jsonl", "bytes": 10, "bytes_read": 10}],
             "shards": [{"name": "part-00000-0000", "partition": 0, "rows": 5, "files": {
                 c: {"file": f"part-00000-0000.{c}.zst", "bytes": 100, "sha256": "0" * 64, "frames": 3} for c in ("input_ids", "segment_ids")}}],
             "statistics": {"documents_read": 3, "documents_written": 3, "skipped": {}, "dropped": {}, "counters": {}, "rows": 5,
                            "input_bytes": 10, "blank_lines": 0, "tokens": 30, "real_tokens": 30, "padding_tokens": 10,
                            "truncated_tokens": 0, "split_documents": 0, "document_length_log2_histogram": []},
             "index_sha256": "0" * 64}
    raw = (json.dumps(index, indent=2, sort_keys=True) + "\n").encode()
    checksum = hashlib.sha256(raw).hexdigest()
    key = raw.index(b'"index_sha256"')
    at = raw.index(b'"' + b"0" * 64 + b'"', key) + 1
    write("index", "valid.json", raw[:at] + checksum.encode() + raw[at + 64:])


CHATML = """{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"""

TOOLS = """{{- bos_token }}
{%- if tools %}
    {%- set ns = namespace(names=[]) %}
    {%- for tool in tools | selectattr('type', 'eq', 'function') %}
        {%- set ns.names = ns.names + [tool.function.name] %}
{{ tool | tojson(indent=2) }}
    {%- endfor %}
{%- endif %}
{%- for message in messages %}
    {%- if message.role not in ['system', 'user', 'assistant', 'tool'] %}
        {{- raise_exception('Unknown role ' ~ message.role) }}
    {%- endif %}
    {%- set content = message.content if message.content is string else message.content | map(attribute='text') | join %}
[{{ message.role | upper }}]{{ content | trim }}
    {%- for call in message.tool_calls | default([]) %}
<call id="{{ call.id }}">{{ call.function.arguments | tojson }}</call>
    {%- endfor %}
    {%- if loop.last and add_generation_prompt %}{{ '[ASSISTANT]' }}{% endif %}
{%- endfor %}
{{- eos_token if not add_generation_prompt else '' }}"""


def jinja_templates():
    """Templates of the interpreter's reference cases, and two chat templates of the usual shapes."""
    write("jinja", "chatml.jinja", CHATML)
    write("jinja", "tools.jinja", TOOLS)
    cases = os.path.join(HERE, "..", "IngotJinjaTests", "Fixtures", "cases.jsonl")
    for line in open(cases, encoding="utf-8"):
        case = json.loads(line)
        if len(case["template"]) < 2000:
            write("jinja", case["name"] + ".jinja", case["template"])


def parquet_files():
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [
        {"text": t if i != 1 else None, "n": i, "ok": i % 2 == 0,
         "messages": [{"role": "user", "content": t[:20]}, {"role": "assistant", "content": None}] if i % 3 else None}
        for i, t in enumerate(TEXTS)
    ]
    table = pa.Table.from_pylist(rows)
    variants = {
        "snappy-dict-v1.parquet": dict(compression="snappy"),
        "zstd-plain-v2.parquet": dict(compression="zstd", use_dictionary=False, data_page_version="2.0"),
        "gzip-delta.parquet": dict(compression="gzip", use_dictionary=False, column_encoding={"text": "DELTA_BYTE_ARRAY", "n": "DELTA_BINARY_PACKED"}),
        "lz4-delta-length.parquet": dict(compression="lz4", use_dictionary=False, column_encoding={"text": "DELTA_LENGTH_BYTE_ARRAY"}),
        "none-groups.parquet": dict(compression="none", row_group_size=2),
    }
    for name, options in variants.items():
        sink = io.BytesIO()
        pq.write_table(table, sink, **options)
        write("parquet", name, sink.getvalue())


if __name__ == "__main__":
    jsonl()
    json_values()
    tokenizer_files()
    tiktoken_file()
    tekken_file()
    sentencepiece_model()
    encode_texts()
    shard_file()
    index_file()
    jinja_templates()
    parquet_files()
