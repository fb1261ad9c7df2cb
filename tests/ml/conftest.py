import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

torch = pytest.importorskip("torch")
torch.set_num_threads(2)


@pytest.fixture(scope="session")
def face_gen():
    from inference.ml.dcgan import load_face_generator

    return load_face_generator(device="cpu")
