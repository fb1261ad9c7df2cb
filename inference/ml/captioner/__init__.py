"""Image captioner for the shape scenes: CNN encoder -> grid of spatial tokens -> Transformer
decoder with cross-attention. One model speaks both languages: the first decoder token picks the
language (<en> or <ko>).

    model = load_captioner()
    out = caption(model, images, lang="ko")   # [{"text", "tokens", "attention"}, ...]

The per-word attention map is the last decoder layer's cross-attention (averaged over heads)
from the position that produced the word to the 8x8 grid of image tokens.

Modules, read top-down:
    tokenizer   WordTokenizer: the scene grammar's words, language tokens, <eos>
    model       CaptionerConfig, Captioner (ImageEncoder, DecoderBlock with cross-attention)
    decode      greedy_decode, caption, attention_overlay_png
    data        make_dataset (rendered scenes and their captions), token batches
    evaluate    evaluate_captioner: BLEU-4, ROUGE-L and exact match on held-out scenes
    train       train_captioner: scenes -> fit -> evaluate -> meta -> checkpoint
    checkpoint  save_checkpoint, load_captioner (config and tokenizer travel with the weights)
"""

from .checkpoint import load_captioner, save_checkpoint
from .data import HELDOUT_SEED_OFFSET, make_dataset
from .decode import attention_overlay_png, caption, greedy_decode
from .evaluate import evaluate_captioner
from .model import Captioner, CaptionerConfig
from .tokenizer import WordTokenizer
from .train import Progress, train_captioner

__all__ = [
    "HELDOUT_SEED_OFFSET",
    "Captioner",
    "CaptionerConfig",
    "Progress",
    "WordTokenizer",
    "attention_overlay_png",
    "caption",
    "evaluate_captioner",
    "greedy_decode",
    "load_captioner",
    "make_dataset",
    "save_checkpoint",
    "train_captioner",
]
