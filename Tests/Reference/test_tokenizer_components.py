"""Ingot's tokenizers against the reference libraries, component by component.

The shared oracles cover eight published tokenizers. These tests cover the rest of the
tokenizer.json grammar Ingot accepts - every normalizer, pre-tokenizer, split behavior, added-token
flag and post-processor - by editing real tokenizer files into variants, and SentencePiece
.model features (Unigram, user-defined symbols, nmt_nfkc, whitespace handling) by training small
models. Each variant encodes the hard cases plus multilingual sample text with
`pipeline encode` and with the reference library; the ids must be identical.
"""
import copy
import json
import os
import subprocess

import pytest

tokenizers = pytest.importorskip("tokenizers")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get("INGOT_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
TOKENIZERS = os.path.join(SHARED, "tokenizers")
if not os.path.isdir(TOKENIZERS) and os.environ.get("INGOT_REQUIRE_SHARED") != "1":
    pytest.skip(f"needs the shared fixtures in {SHARED} (or $INGOT_SHARED), which this clone does not have",
                allow_module_level=True)


def pipeline_binary():
    explicit = os.environ.get("INGOT_PIPELINE")
    if explicit:
        return explicit
    for config in ("debug", "release"):
        path = os.path.join(ROOT, ".build", config, "pipeline")
        if os.path.exists(path):
            return path
    pytest.fail("no pipeline binary: run `swift build` first or set INGOT_PIPELINE")


def load_texts():
    texts = []
    with open(os.path.join(TOKENIZERS, "cases.jsonl"), encoding="utf-8") as f:
        texts += [json.loads(line)["text"] for line in f]
    with open(os.path.join(SHARED, "corpus", "sample-multi.jsonl"), encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i >= 40:
                break
            texts.append(json.loads(line)["text"][:2000])
    return texts


TEXTS = load_texts()


def ingot_encode(path, add_special=False, split_special=False):
    args = [pipeline_binary(), "encode", "--tokenizer", path]
    if add_special:
        args.append("--add-special-tokens")
    if split_special:
        args.append("--split-special-tokens")
    stdin = "".join(json.dumps({"text": t}) + "\n" for t in TEXTS)
    result = subprocess.run(args, input=stdin.encode(), capture_output=True, check=False)
    assert result.returncode == 0, result.stderr.decode()
    return [json.loads(line)["ids"] for line in result.stdout.decode().splitlines()]


def hf_encode(path, add_special=False, split_special=False):
    tok = tokenizers.Tokenizer.from_file(path)
    tok.no_truncation()
    tok.no_padding()
    tok.encode_special_tokens = split_special
    return [tok.encode(t, add_special_tokens=add_special).ids for t in TEXTS]


def assert_same(path, expected, got):
    assert len(expected) == len(got)
    for text, e, g in zip(TEXTS, expected, got):
        assert g == e, f"{os.path.basename(path)}: first difference on {text[:80]!r}:\n  reference {e[:24]}\n  ingot     {g[:24]}"


def base(name):
    with open(os.path.join(TOKENIZERS, name, "tokenizer.json"), encoding="utf-8") as f:
        return json.load(f)


def regex_split(pattern, behavior="Isolated", invert=False):
    return {"type": "Split", "pattern": {"Regex": pattern}, "behavior": behavior, "invert": invert}


def byte_level(add_prefix_space=False, use_regex=True):
    return {"type": "ByteLevel", "add_prefix_space": add_prefix_space, "trim_offsets": True, "use_regex": use_regex}


def seq(*items):
    return {"type": "Sequence", "pretokenizers": list(items)}


def nseq(*items):
    return {"type": "Sequence", "normalizers": list(items)}


O200K = "|".join([
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
    r"\p{N}{1,3}", r" ?[^\s\p{L}\p{N}]+[\r\n/]*", r"\s*[\r\n]+", r"\s+(?!\S)", r"\s+",
])
QWEN2 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
TEKKEN = "|".join([
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+",
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*",
    r"\p{N}", r" ?[^\s\p{L}\p{N}]+[\r\n/]*", r"\s*[\r\n]+", r"\s+(?!\S)", r"\s+",
])


def gpt2_variant(**changes):
    j = base("gpt2")
    j.update(changes)
    return j


VARIANTS = {
    # Split scanners against Oniguruma, on GPT-2's vocabulary.
    "split-o200k": gpt2_variant(pre_tokenizer=seq(regex_split(O200K), byte_level(use_regex=False))),
    "split-qwen2": gpt2_variant(pre_tokenizer=seq(regex_split(QWEN2), byte_level(use_regex=False))),
    "split-tekken": gpt2_variant(pre_tokenizer=seq(regex_split(TEKKEN), byte_level(use_regex=False))),
    # A regex with no scanner: the general engine, each behavior, inverted.
    **{
        f"split-{behavior.lower()}": gpt2_variant(pre_tokenizer=seq(regex_split(r"\d+|[^\w\s]+", behavior), byte_level(use_regex=False)))
        for behavior in ["Removed", "Isolated", "MergedWithPrevious", "MergedWithNext", "Contiguous"]
    },
    "split-inverted": gpt2_variant(pre_tokenizer=seq(regex_split(r"\p{L}+", "Removed", invert=True), byte_level(use_regex=False))),
    "split-string": gpt2_variant(pre_tokenizer=seq({"type": "Split", "pattern": {"String": " "}, "behavior": "MergedWithNext", "invert": False}, byte_level(use_regex=False))),
    "pre-whitespace": gpt2_variant(pre_tokenizer=seq({"type": "Whitespace"}, byte_level(use_regex=False))),
    "pre-whitespace-split": gpt2_variant(pre_tokenizer=seq({"type": "WhitespaceSplit"}, byte_level(add_prefix_space=True))),
    "pre-digits": gpt2_variant(pre_tokenizer=seq({"type": "Digits", "individual_digits": True}, byte_level())),
    "pre-digits-runs": gpt2_variant(pre_tokenizer=seq({"type": "Digits", "individual_digits": False}, byte_level())),
    "pre-punctuation": gpt2_variant(pre_tokenizer=seq({"type": "Punctuation", "behavior": "Contiguous"}, byte_level())),
    "pre-char-delimiter": gpt2_variant(pre_tokenizer=seq({"type": "CharDelimiterSplit", "delimiter": "e"}, byte_level(use_regex=False))),
    "pre-bert-bytelevel": gpt2_variant(pre_tokenizer=seq({"type": "BertPreTokenizer"}, byte_level(use_regex=False))),
    # Normalizers.
    "norm-nfkc": gpt2_variant(normalizer={"type": "NFKC"}),
    "norm-nfc": gpt2_variant(normalizer={"type": "NFC"}),
    "norm-nfkd-lower": gpt2_variant(normalizer=nseq({"type": "NFKD"}, {"type": "Lowercase"})),
    "norm-nfd-strip-accents": gpt2_variant(normalizer=nseq({"type": "NFD"}, {"type": "StripAccents"})),
    "norm-strip": gpt2_variant(normalizer={"type": "Strip", "strip_left": True, "strip_right": True}),
    "norm-replace-regex": gpt2_variant(normalizer={"type": "Replace", "pattern": {"Regex": r"\s+"}, "content": " "}),
    "norm-replace-prepend": gpt2_variant(normalizer=nseq({"type": "Prepend", "prepend": "> "}, {"type": "Replace", "pattern": {"String": "e"}, "content": "E"})),
    "norm-bert": gpt2_variant(normalizer={"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True, "strip_accents": None, "lowercase": True}),
    # Post-processors.
    "post-roberta": gpt2_variant(post_processor={"type": "RobertaProcessing", "sep": ["<|endoftext|>", 50256], "cls": ["<|endoftext|>", 50256], "trim_offsets": True, "add_prefix_space": False}),
    "post-template": gpt2_variant(post_processor={"type": "Sequence", "processors": [
        {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
         "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
         "special_tokens": {"<|endoftext|>": {"id": "<|endoftext|>", "ids": [50256], "tokens": ["<|endoftext|>"]}}}]}),
}


def added_token(content, id, special=False, **flags):
    token = {"id": id, "content": content, "single_word": False, "lstrip": False, "rstrip": False, "normalized": not special, "special": special}
    token.update(flags)
    return token


def with_added_tokens():
    j = gpt2_variant(normalizer={"type": "Lowercase"})
    j["added_tokens"] = j["added_tokens"] + [
        added_token("<|mask|>", 50257, special=True, lstrip=True),
        added_token("<|sep|>", 50258, special=True, rstrip=True),
        added_token("the", 50259, single_word=True),
        added_token("ing", 50260),
        added_token("HELLO", 50261, normalized=False),
        added_token("world", 50262, lstrip=True, rstrip=True),
    ]
    return j


VARIANTS["added-token-flags"] = with_added_tokens()


def t5_variant(**changes):
    j = base("t5-small")
    j.update(changes)
    return j


def metaspace(prepend_scheme, split):
    return {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": prepend_scheme, "split": split}


VARIANTS.update({
    "unigram-metaspace-first": t5_variant(pre_tokenizer=metaspace("first", True)),
    "unigram-metaspace-nosplit": t5_variant(pre_tokenizer=metaspace("always", False)),
    "unigram-nfkc-precompiled": t5_variant(normalizer=nseq({"type": "NFKC"}, base("t5-small")["normalizer"])),
    "unigram-no-normalizer": t5_variant(normalizer=None),
    "bert-whitespace": (lambda j: (j.update(pre_tokenizer={"type": "Whitespace"}), j)[1])(base("bert-minilm-l6-v2")),
    "bert-bert-processing": (lambda j: (j.update(post_processor={"type": "BertProcessing", "sep": ["[SEP]", 102], "cls": ["[CLS]", 101]}), j)[1])(base("bert-minilm-l6-v2")),
    "mistral-metaspace-split": (lambda j: (j.update(pre_tokenizer=metaspace("first", True)), j)[1])(base("mistral-7b-v0.1")),
    "mistral-legacy-normalizer": (lambda j: (j.update(
        normalizer=nseq({"type": "Prepend", "prepend": "\u2581"}, {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}),
        pre_tokenizer=None), j)[1])(base("mistral-7b-v0.1")),
})


@pytest.fixture(scope="module")
def variant_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("variants")


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_tokenizer_json_variant(name, variant_dir):
    path = str(variant_dir / f"{name}.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(VARIANTS[name], f, ensure_ascii=False)
    assert_same(path, hf_encode(path), ingot_encode(path))
    assert_same(path, hf_encode(path, split_special=True), ingot_encode(path, split_special=True))


@pytest.mark.parametrize("name", ["gpt2", "llama3-8b", "bert-minilm-l6-v2", "t5-small", "mistral-7b-v0.1"])
def test_add_special_tokens(name):
    path = os.path.join(TOKENIZERS, name, "tokenizer.json")
    assert_same(path, hf_encode(path, add_special=True), ingot_encode(path, add_special=True))


# SentencePiece .model files, trained here: features the published Llama 2 model does not use.
sentencepiece = pytest.importorskip("sentencepiece")

SPM_OPTIONS = {
    "unigram-nmt-nfkc": dict(model_type="unigram", normalization_rule_name="nmt_nfkc"),
    "unigram-user-symbols": dict(model_type="unigram", user_defined_symbols=["<tool>", "##", "ab"], byte_fallback=True),
    "unigram-keep-whitespace": dict(model_type="unigram", remove_extra_whitespaces=False, add_dummy_prefix=False, normalization_rule_name="identity"),
    "bpe-nfkc-cf": dict(model_type="bpe", normalization_rule_name="nmt_nfkc_cf", split_digits=True),
    "bpe-user-symbols": dict(model_type="bpe", user_defined_symbols=["<tool>", "the cat"], byte_fallback=True, allow_whitespace_only_pieces=True),
    "bpe-suffix": dict(model_type="bpe", treat_whitespace_as_suffix=True),
}


@pytest.fixture(scope="module")
def training_text(tmp_path_factory):
    path = tmp_path_factory.mktemp("spm") / "train.txt"
    with open(path, "w", encoding="utf-8") as out:
        for sample in ("sample-en.jsonl", "sample-multi.jsonl"):
            with open(os.path.join(SHARED, "corpus", sample), encoding="utf-8") as f:
                for i, line in enumerate(f):
                    if i >= 300:
                        break
                    for paragraph in json.loads(line)["text"].split("\n"):
                        if paragraph.strip():
                            out.write(paragraph[:1000] + "\n")
    return str(path)


@pytest.mark.parametrize("name", sorted(SPM_OPTIONS))
def test_sentencepiece_model(name, training_text, tmp_path):
    prefix = str(tmp_path / name)
    sentencepiece.SentencePieceTrainer.train(
        input=training_text, model_prefix=prefix, vocab_size=4000, character_coverage=0.9995,
        num_threads=2, minloglevel=2, **SPM_OPTIONS[name])
    path = prefix + ".model"
    sp = sentencepiece.SentencePieceProcessor(model_file=path)
    assert_same(path, [sp.encode(t) for t in TEXTS], ingot_encode(path))
