"""Small resize references for core's MetricsConformanceTest (bundled, so a clone without
../shared still checks both clean-fid preprocessing modes).

Run with Debian's python (numpy, PIL, torch 1.13 from apt python3-torch):
    /usr/bin/python3 tools/metrics/make_resize_references.py core/src/test/resources/conformance/metrics

Writes <case>.json plus <case>.image.npy (uint8 [H, W, 3]) and <case>.resized.npy (float32
[S, S, 3]) in the format of shared/reference/metrics (see its README):
  kind "resize"                 clean-fid mode "clean": each channel as a PIL 'F' image,
                                Image.BICUBIC to S x S, clipped to 0..255
  kind "resize_legacy_pytorch"  clean-fid mode "legacy_pytorch": torch.nn.functional.interpolate
                                (mode='bilinear', align_corners=False, no antialias), clipped to 0..255
Sizes are small (S = 41) to keep the repository lean; the code under test takes S as a parameter.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

SIZE = 41


def image(rng, h, w):
    img = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    # a smooth half as well as noise, so both gradients and edges are exercised
    img[: h // 2] = (np.linspace(0, 255, w)[None, :, None] * np.ones((h // 2, 1, 3))).astype(np.uint8)
    return img


def clean(img):
    chans = []
    for c in range(3):
        f = Image.fromarray(img[:, :, c].astype(np.float32), mode="F").resize((SIZE, SIZE), resample=Image.BICUBIC)
        chans.append(np.asarray(f).clip(0, 255).reshape(SIZE, SIZE, 1))
    return np.concatenate(chans, axis=2).astype(np.float32)


def legacy_pytorch(img):
    x = torch.Tensor(img.transpose((2, 0, 1)))[None, ...]
    x = F.interpolate(x, size=(SIZE, SIZE), mode="bilinear", align_corners=False)
    return x[0, ...].cpu().numpy().transpose((1, 2, 0)).clip(0, 255).astype(np.float32)


def write_case(out, name, kind, mode, img, resized):
    np.save(os.path.join(out, f"{name}.image.npy"), img)
    np.save(os.path.join(out, f"{name}.resized.npy"), resized)
    meta = dict(kind=kind, mode=mode, input_shape=list(img.shape), output_shape=list(resized.shape),
                name=name, arrays={"image": f"{name}.image.npy", "resized": f"{name}.resized.npy"},
                made_with=f"numpy {np.__version__}, PIL {Image.__version__}, torch {torch.__version__}")
    with open(os.path.join(out, f"{name}.json"), "w") as fh:
        json.dump(meta, fh, indent=1)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(5)
    down = image(rng, 80, 96)   # H x W: shrink, not square
    up = image(rng, 13, 17)     # enlarge, not square
    for tag, img in (("down", down), ("up", up)):
        write_case(out, f"resize_clean_{tag}_s5", "resize",
                   f"clean-fid clean: PIL F-mode bicubic per channel to {SIZE}x{SIZE}, clip 0..255", img, clean(img))
        write_case(out, f"resize_legacy_pytorch_{tag}_s5", "resize_legacy_pytorch",
                   f"clean-fid legacy_pytorch: F.interpolate bilinear, align_corners=False, to {SIZE}x{SIZE}, clip 0..255",
                   img, legacy_pytorch(img))


if __name__ == "__main__":
    main()
