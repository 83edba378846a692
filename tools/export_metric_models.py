#!/usr/bin/env python3
"""Export the image-quality metric models diffusion-batch runs to ONNX.

  # FID Inception-v3 (pool3, 2048-d) from pytorch-fid's weights: numbers as `python -m pytorch_fid`
  python tools/export_metric_models.py inception --source pytorch-fid \
      --weights pt_inception-2015-12-05-6726825d.pth --out models/fid-inception

  # The same network from clean-fid's TorchScript file: numbers as clean-fid's mode "clean"
  python tools/export_metric_models.py inception --source clean-fid \
      --weights inception-2015-12-05.pt --out models/fid-inception-cleanfid

  # CLIP image and text encoders (Optimum's export; a hub id or a local folder of the model)
  python tools/export_metric_models.py clip --model openai/clip-vit-base-patch32 --out models/clip-vit-b32

Python is needed only here, never when diffusion-batch runs. Requirements:
  inception, pytorch-fid:  torch, torchvision, pytorch-fid (pip install pytorch-fid), onnx, and the
      weights file downloaded by you from
      https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/pt_inception-2015-12-05-6726825d.pth
  inception, clean-fid:    torch, clean-fid (pip install clean-fid), onnx, and
      https://nvlabs-fi-cdn.nvidia.com/stylegan2-ada-pytorch/pretrained/metrics/inception-2015-12-05.pt
  clip:                    optimum[exporters] (which brings torch, transformers, onnx); the model
      is read from the Hugging Face hub or from a folder you downloaded it to
Nothing is downloaded by this script except what `optimum` fetches for a hub id.

What it writes (read by diffusion-batch's --features / --clip):
  inception: OUT/model.onnx (input "images" float32 [batch, 3, 299, 299], output "features"
      float32 [batch, 2048]) and OUT/feature_extractor.json naming the input, output, size, value
      range and the resizing that reproduces the source's numbers (pytorch-fid: legacy-pytorch,
      values 0..1; clean-fid: clean, values 0..255). With --resize-inside the graph takes any
      size and resizes with torch's bilinear filter itself (preprocessing "none"), as pytorch-fid
      does when given images that are not 299 x 299.
  clip: OUT/ as `optimum-cli export onnx --model MODEL --task feature-extraction OUT` writes it:
      model.onnx (input_ids, pixel_values, attention_mask -> logits_per_image, logits_per_text,
      text_embeds, image_embeds), config.json, preprocessor_config.json and the tokenizer files.
"""
import argparse
import json
import os
import sys

INCEPTION_SIZE = 299
FEATURE_DIM = 2048


def write_sidecar(out, source, preprocessing, value_range, resize_inside):
    sidecar = {
        "description": f"FID Inception-v3 pool3 features ({FEATURE_DIM}-d) exported from {source}'s weights by "
                       "tools/export_metric_models.py",
        "source": source,
        "input": "images",
        "output": "features",
        "layout": "NCHW",
        "preprocessing": "none" if resize_inside else preprocessing,
        "value_range": value_range,
    }
    if not resize_inside:
        sidecar["size"] = [INCEPTION_SIZE, INCEPTION_SIZE]
    with open(os.path.join(out, "feature_extractor.json"), "w") as f:
        json.dump(sidecar, f, indent=2)
        f.write("\n")


def pytorch_fid_network(weights, resize_inside):
    """pytorch-fid's InceptionV3 (FID blocks, FID weights) up to the final average pool."""
    import torch
    from pytorch_fid import inception as pfi

    # fid_inception_v3() loads its weights through load_state_dict_from_url(FID_WEIGHTS_URL);
    # hand it the file the user downloaded instead, so nothing is fetched.
    pfi.load_state_dict_from_url = lambda url, progress=True, **kw: torch.load(weights, map_location="cpu")
    net = pfi.InceptionV3(output_blocks=[pfi.InceptionV3.BLOCK_INDEX_BY_DIM[FEATURE_DIM]],
                          resize_input=resize_inside, normalize_input=True, use_fid_inception=True).eval()

    class Pool3(torch.nn.Module):
        """images [B, 3, H, W] in 0..1 -> [B, 2048], as pytorch-fid's get_activations takes them."""

        def __init__(self):
            super().__init__()
            self.net = net

        def forward(self, images):
            return torch.flatten(self.net(images)[0], 1)

    return Pool3().eval()


def clean_fid_network(weights, resize_inside):
    """clean-fid's InceptionV3W over the TorchScript file (the StyleGAN2-ADA port of the TF graph)."""
    import torch

    base = torch.jit.load(weights, map_location="cpu").eval()

    class Pool3(torch.nn.Module):
        """images [B, 3, 299, 299] in 0..255 -> [B, 2048], as InceptionV3W.forward with resize_inside=False."""

        def __init__(self):
            super().__init__()
            self.base = base
            self.layers = base.layers

        def forward(self, images):
            if resize_inside:
                # clean-fid's legacy_tensorflow path: the TorchScript resizes and normalises itself.
                return self.base(images, return_features=True).view((-1, FEATURE_DIM))
            return self.layers.forward((images - 128) / 128).view((-1, FEATURE_DIM))

    return Pool3().eval()


def export_inception(args):
    import torch

    os.makedirs(args.out, exist_ok=True)
    if args.source == "pytorch-fid":
        net = pytorch_fid_network(args.weights, args.resize_inside)
        value_range, default_mode = [0, 1], "legacy-pytorch"
    else:
        net = clean_fid_network(args.weights, args.resize_inside)
        value_range, default_mode = [0, 255], "clean"
    size = args.probe_size if args.resize_inside else INCEPTION_SIZE
    dummy = torch.rand(2, 3, size, size) * value_range[1]
    dynamic = {"images": {0: "batch"}, "features": {0: "batch"}}
    if args.resize_inside:
        dynamic["images"].update({2: "height", 3: "width"})
    path = os.path.join(args.out, "model.onnx")
    with torch.no_grad():
        expected = net(dummy).numpy()
        torch.onnx.export(net, (dummy,), path, input_names=["images"], output_names=["features"],
                          dynamic_axes=dynamic, opset_version=args.opset, do_constant_folding=True)
    write_sidecar(args.out, args.source, args.preprocessing or default_mode, value_range, args.resize_inside)
    check_graph(path, dummy.numpy(), expected)
    print(f"wrote {path} and feature_extractor.json ({args.source}, {FEATURE_DIM}-d)")


def check_graph(path, inputs, expected):
    """The graph is valid ONNX; with onnxruntime installed, it also gives torch's features."""
    import numpy as np
    import onnx

    onnx.checker.check_model(path)
    try:
        import onnxruntime
    except ImportError:
        print("onnxruntime not installed: exported graph checked for validity only")
        return
    got = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"]).run(["features"], {"images": inputs})[0]
    err = float(np.abs(got - expected).max())
    print(f"onnxruntime vs torch: max abs difference {err:.2e}")
    if err > 1e-3:
        sys.exit(f"the exported graph differs from torch by {err}; do not use it")


def export_clip(args):
    from optimum.exporters.onnx import main_export

    main_export(model_name_or_path=args.model, output=args.out, task="feature-extraction", opset=args.opset)
    missing = [f for f in ("model.onnx", "preprocessor_config.json", "vocab.json", "merges.txt")
               if not os.path.isfile(os.path.join(args.out, f))]
    if missing:
        sys.exit(f"the export in {args.out} lacks {missing}; diffusion-batch's --clip needs them")
    print(f"wrote {args.out} (Optimum CLIP export: model.onnx, preprocessor_config.json, tokenizer)")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="what", required=True)
    inc = sub.add_parser("inception", help="the FID Inception-v3, pool3 features")
    inc.add_argument("--source", choices=["pytorch-fid", "clean-fid"], required=True)
    inc.add_argument("--weights", required=True, help="the downloaded weights file of the source")
    inc.add_argument("--out", required=True, help="output folder")
    inc.add_argument("--preprocessing", choices=["clean", "legacy-pytorch"],
                     help="resizing recorded in the sidecar (default: the source's own: legacy-pytorch for "
                          "pytorch-fid, clean for clean-fid)")
    inc.add_argument("--resize-inside", action="store_true",
                     help="the graph takes any image size and resizes itself (sidecar preprocessing none)")
    inc.add_argument("--probe-size", type=int, default=256, help="image size traced with --resize-inside")
    inc.add_argument("--opset", type=int, default=17)
    clip = sub.add_parser("clip", help="CLIP image and text encoders through Optimum")
    clip.add_argument("--model", required=True, help="hub id (e.g. openai/clip-vit-base-patch32) or local folder")
    clip.add_argument("--out", required=True, help="output folder")
    clip.add_argument("--opset", type=int, default=17)
    args = ap.parse_args()
    if args.what == "inception":
        export_inception(args)
    else:
        export_clip(args)


if __name__ == "__main__":
    main()
