"""Caption any photo: a frozen MobileNetV2 (ImageNet) encoder and a small attention decoder
trained here on composed pictures, in English and Korean.

    encoder.py   MobileNetV2 with torchvision's layer names; 7x7x1280 grid + ImageNet logits
    data.py      composed training pictures, the held-out test set, bilingual templates
    model.py     the GRU decoder with additive attention; vocabulary; checkpoint I/O
    train.py     train_photo_captioner, evaluate
    evidence.py  load both parts, caption a photo with per-word attention maps
"""

CHECKPOINT_NAME = "photo_captioner.pt"
