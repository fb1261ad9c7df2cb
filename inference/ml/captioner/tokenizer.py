"""Word-level tokenizer of the scene captions, in both languages."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .. import scenes

_TOKEN_RE = re.compile(r"[^\s,]+|,")


class WordTokenizer:
    """Word-level tokenizer; ',' is its own token. The vocabulary is built from the scene
    grammar (every word it can produce), and saved in the checkpoint as a plain list."""

    PAD, UNK, EOS = "<pad>", "<unk>", "<eos>"
    LANGS = {"en": "<en>", "ko": "<ko>"}  # language tokens start every sequence

    def __init__(self, itos: list[str]):
        self.itos = list(itos)
        self.stoi = {w: i for i, w in enumerate(self.itos)}
        self.pad_id, self.unk_id, self.eos_id = (
            self.stoi[t] for t in (self.PAD, self.UNK, self.EOS)
        )

    @classmethod
    def from_grammar(cls) -> WordTokenizer:
        words = sorted({w for p in scenes.all_group_phrases() for w in cls.split(p)})
        return cls([cls.PAD, cls.UNK, cls.EOS, *cls.LANGS.values(), *words])

    @staticmethod
    def split(text: str) -> list[str]:
        return _TOKEN_RE.findall(text)

    @staticmethod
    def join(words: list[str]) -> str:
        return " ".join(words).replace(" ,", ",")

    def lang_id(self, lang: str) -> int:
        return self.stoi[self.LANGS[lang]]

    def encode(self, text: str) -> list[int]:
        return [self.stoi.get(w, self.unk_id) for w in self.split(text)]

    def decode(self, ids: Iterable[int]) -> str:
        return self.join(self.ids_to_words(ids))

    def ids_to_words(self, ids: Iterable[int]) -> list[str]:
        words = []
        for i in ids:
            i = int(i)
            if i == self.eos_id:
                break
            if i == self.pad_id or self.itos[i] in self.LANGS.values():
                continue
            words.append(self.itos[i])
        return words

    def __len__(self) -> int:
        return len(self.itos)

    def to_dict(self) -> dict:
        return {"itos": self.itos}

    @classmethod
    def from_dict(cls, d: dict) -> WordTokenizer:
        return cls(d["itos"])
