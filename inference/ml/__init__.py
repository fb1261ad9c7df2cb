"""Pure-PyTorch model code for the live demos (no Django, no Celery).

Importing this package is cheap: it imports nothing heavy. ``registry`` can be used by the web
process (it needs no torch when the JSON sidecars next to the checkpoints exist); every other
module imports torch and is meant for the GPU/CPU worker only.

Each trained net is a package of model / data / train / checkpoint modules (plus what it shows
a student); its __init__ exports the public names, so ``from inference.ml.fake_detector import
predict`` is the import to use.

Modules:
    device         pick_device, DeviceMixin (a net's device/dtype), seeding helpers
    dcgan          DCGAN face generator (pretrained weights from the gan-face-generate package)
    fake_detector  small CNN + FFT-spectrum classifier: P(image was made by the GAN) (package)
    scenes         procedural shape scenes with English/Korean captions
    captioner      CNN encoder + Transformer decoder captioner, per-word attention maps (package)
    hf_captioner   loader for a local Hugging Face VisionEncoderDecoderModel
    metrics        BLEU-4 and ROUGE-L
    imaging        small Pillow/numpy helpers (PNG encoding, colour maps, overlays)
    registry       model cards (name, architecture, data, licence, parameters, metrics)
    train          command line that retrains the shipped checkpoints
"""

from pathlib import Path

CHECKPOINT_DIR = Path(__file__).resolve().parent.parent / "checkpoints"
