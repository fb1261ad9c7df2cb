"""Every net says where its inputs must go (DeviceMixin), which is what predict functions use."""

import pytest
import torch

from inference.ml.captioner import Captioner, CaptionerConfig
from inference.ml.dcgan import Generator, GeneratorConfig
from inference.ml.device import DeviceMixin
from inference.ml.fake_detector import DetectorConfig, FakeDetector


@pytest.mark.parametrize("net", [
    Generator(GeneratorConfig(ngf=4)),
    FakeDetector(DetectorConfig(width=2, spec_width=2)),
    Captioner(CaptionerConfig(d_model=8, n_layer=1, n_head=2, enc_channels=[4, 4, 4])),
], ids=["generator", "detector", "captioner"])
def test_device_and_dtype_follow_the_parameters(net):
    assert isinstance(net, DeviceMixin)
    assert (net.device, net.dtype) == (torch.device("cpu"), torch.float32)
    net.to(torch.float64)
    assert net.dtype == torch.float64
    assert not any(k.startswith("device") or k.startswith("dtype") for k in net.state_dict())
