#!/usr/bin/python3
"""Generate the tiny image-quality metric models bundled in models/.

    /usr/bin/python3 tools/tiny_models/make_tiny_metric_models.py [--out models] [--check]

Writes
  models/tiny-features/   model.onnx + feature_extractor.json: a fixed (untrained) feature
                          extractor, 64-d, whose features separate the tiny models' pictures by
                          colour and shape and see the fine detail a sampler gets wrong
  models/tiny-clip/       a CLIP pair in the layout of an Optimum export of a CLIP model (one
                          model.onnx with input_ids, pixel_values, attention_mask ->
                          text_embeds, image_embeds, logits_*; config.json,
                          preprocessor_config.json, tokenizer files): text and image are mapped
                          into the same colour x shape concept space
  models/tiny-reference/  mixture.json + mixture_means.npy: the tiny model's data distribution
                          (the Gaussian mixture its UNet denoises toward), from which
                          `./diffusion-batch sample-mixture` draws exact samples

Needs numpy and onnx (Debian: python3-numpy python3-onnx) and make_tiny_models.py beside this
file (it is imported, not changed). Deterministic: the same bytes on every run. --check also
needs PIL (python3-pil) and prints how well the features and the CLIP pair separate the pictures;
--test-fixtures (PIL, scipy) writes the references the Java tests compare with and a few broken
feature models the jobs must refuse (core/src/test/resources/metric-models,
jobs/src/test/resources/metric-stats).
See README.md beside this file.
"""
import argparse
import io
import json
import os
import sys

import numpy as np
from onnx import TensorProto

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_tiny_models as tm  # noqa: E402  (the pictures, mixture, tokenizer and graph builder)

F32, I64 = TensorProto.FLOAT, TensorProto.INT64

# ----------------------------------------------------------------------------------------------
# Feature extractor: [B, 3, 64, 64] in [0, 1] -> [B, 64]
# ----------------------------------------------------------------------------------------------
FEAT_SIZE = 64          # input size; the 128 x 128 pictures are resized to it (clean-fid "clean")
COLOUR_GRID = 4         # mean R, G, B over a 4 x 4 grid of 16 x 16 cells: 48 features
EDGE_GRID = 2           # mean |edge filter response| over 2 x 2 quadrants: 4 filters x 4 = 16
EDGE_GAIN = 4.0         # brings the edge energies to the scale of the colour means
LUMA = np.array([0.299, 0.587, 0.114])
SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64) / 8.0


def edge_filters():
    """Conv weight [4, 3, 3, 3]: Sobel x / y of luminance, Sobel x of R-G, Sobel y of B-(R+G)/2."""
    sobel_y = SOBEL_X.T
    chroma1 = np.array([1.0, -1.0, 0.0])
    chroma2 = np.array([-0.5, -0.5, 1.0])
    w = np.zeros((4, 3, 3, 3))
    for c in range(3):
        w[0, c] = LUMA[c] * SOBEL_X
        w[1, c] = LUMA[c] * sobel_y
        w[2, c] = chroma1[c] * SOBEL_X
        w[3, c] = chroma2[c] * sobel_y
    return (w * EDGE_GAIN).astype(np.float32)


def feature_model():
    g = tm.G(F32)
    x = g.input("images", F32, ["batch", 3, FEAT_SIZE, FEAT_SIZE])
    cell = FEAT_SIZE // COLOUR_GRID
    colour = g.op("AveragePool", [x], base="colour_grid", kernel_shape=[cell, cell], strides=[cell, cell])
    colour = g.op("Reshape", [colour, g.ints([-1, 3 * COLOUR_GRID * COLOUR_GRID])], base="colour_flat")
    w = g.const("edges.weight", edge_filters())
    edges = g.op("Conv", [x, w], base="edges", pads=[1, 1, 1, 1], kernel_shape=[3, 3])
    edges = g.op("Abs", [edges], base="edge_energy")
    quad = FEAT_SIZE // EDGE_GRID
    edges = g.op("AveragePool", [edges], base="edge_grid", kernel_shape=[quad, quad], strides=[quad, quad])
    edges = g.op("Reshape", [edges, g.ints([-1, 4 * EDGE_GRID * EDGE_GRID])], base="edge_flat")
    feats = g.op("Concat", [colour, edges], base="features_cat", axis=1)
    dim = 3 * COLOUR_GRID ** 2 + 4 * EDGE_GRID ** 2
    g.output(feats, "features", ["batch", dim])
    return g.model("tiny_features", "tiny fixed image features: 4x4 colour grid and 2x2 edge energies"), dim


def features_np(img01):
    """numpy version of the feature graph for [B, 3, 64, 64] in [0, 1]."""
    b = img01.shape[0]
    cell = FEAT_SIZE // COLOUR_GRID
    colour = img01.reshape(b, 3, COLOUR_GRID, cell, COLOUR_GRID, cell).mean(axis=(3, 5)).reshape(b, -1)
    w = edge_filters().astype(np.float64)
    pad = np.pad(img01, ((0, 0), (0, 0), (1, 1), (1, 1)))
    out = np.zeros((b, 4, FEAT_SIZE, FEAT_SIZE))
    for dy in range(3):
        for dx in range(3):
            patch = pad[:, :, dy:dy + FEAT_SIZE, dx:dx + FEAT_SIZE]
            out += np.einsum("bchw,oc->bohw", patch, w[:, :, dy, dx])
    quad = FEAT_SIZE // EDGE_GRID
    edges = np.abs(out).reshape(b, 4, EDGE_GRID, quad, EDGE_GRID, quad).mean(axis=(3, 5)).reshape(b, -1)
    return np.concatenate([colour, edges], axis=1)


def feature_sidecar(dim):
    return {
        "description": f"tiny fixed feature extractor for the bundled tiny models ({dim}-d): mean RGB over a "
                       "4x4 grid and |edge filter| energies over 2x2 quadrants; see tools/tiny_models/README.md",
        "input": "images", "output": "features", "layout": "NCHW", "size": [FEAT_SIZE, FEAT_SIZE],
        "preprocessing": "clean", "value_range": [0, 1],
    }


# ----------------------------------------------------------------------------------------------
# CLIP pair: one graph, as Optimum exports CLIPModel (task feature-extraction)
# ----------------------------------------------------------------------------------------------
CLIP_SIZE = 32                       # crop_size; shortest_edge resize to it first
CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]   # CLIP's image_mean / image_std
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]
EMBED = 8                            # 4 colours + 3 shapes + 1 constant
CONSTANT = 0.5                       # the constant dimension: a prompt naming nothing still fits a little
COLOUR_TEMP = 0.004                  # softmax temperature of a pixel's nearest palette colour (RGB in 0..1)
SHAPE_GRID = 4
LOGIT_SCALE = 100.0                  # CLIP's exp(logit_scale) after training


def palette():
    """[5, 3] in 0..1: the four shape colours, then the background."""
    return np.array([rgb for _, rgb in tm.COLOURS] + [tm.BACKGROUND], dtype=np.float64) / 255.0


def shape_templates():
    """[3, 16]: each shape's coverage of a 4x4 grid at the CLIP input size."""
    cell = CLIP_SIZE // SHAPE_GRID
    out = []
    for shape in tm.SHAPES:
        m = tm.shape_mask(shape, size=CLIP_SIZE)
        out.append(m.reshape(SHAPE_GRID, cell, SHAPE_GRID, cell).mean(axis=(1, 3)).reshape(-1))
    return np.array(out)


def shape_temperature():
    t = shape_templates()
    d = [((t[i] - t[j]) ** 2).sum() for i in range(3) for j in range(i + 1, 3)]
    return 0.1 * min(d)


def clip_token_table(vocab):
    """Token embeddings [V, EMBED]: concept words one-hot in dims 0..6, everything else zero."""
    e = np.zeros((len(vocab), EMBED), dtype=np.float32)
    for i, w in enumerate(tm.CONCEPT_WORDS):
        e[vocab[w + "</w>"], i] = 1.0
    return e


def l2_normalise(g, x, base):
    norm = g.op("Sqrt", [g.op("ReduceSum", [g.op("Mul", [x, x]), g.ints([1])], keepdims=1)], base=base + "_norm")
    return g.op("Div", [x, g.op("Max", [norm, g.scalar(1e-12)])], base=base)


def clip_model(vocab):
    g = tm.G(F32)
    ids = g.input("input_ids", I64, ["text_batch_size", "sequence_length"])
    pixels = g.input("pixel_values", F32, ["image_batch_size", "num_channels", "height", "width"])
    mask = g.input("attention_mask", I64, ["text_batch_size", "sequence_length"])

    # text: the concept words the attended tokens name, plus the constant
    table = g.const("text_model.embeddings.token_embedding.weight", clip_token_table(vocab))
    tokens = g.op("Gather", [table, ids], base="token_embeds", axis=0)            # [T, S, E]
    m = g.op("Unsqueeze", [g.op("Cast", [mask], to=F32), g.ints([2])], base="mask_3d")
    text = g.op("ReduceSum", [g.op("Mul", [tokens, m]), g.ints([1])], base="text_concepts", keepdims=0)
    bias = g.const("text_projection.bias", np.eye(EMBED, dtype=np.float32)[EMBED - 1] * CONSTANT)
    text = g.op("Add", [text, bias], base="text_vec")
    text_embeds = l2_normalise(g, text, "text_embeds_n")

    # image: undo CLIP's normalisation, soft-assign each pixel to the palette
    mean = g.const("vision_model.mean", np.array(CLIP_MEAN, dtype=np.float32).reshape(1, 3, 1, 1))
    std = g.const("vision_model.std", np.array(CLIP_STD, dtype=np.float32).reshape(1, 3, 1, 1))
    rgb = g.op("Add", [g.op("Mul", [pixels, std]), mean], base="rgb01")            # [I, 3, H, W]
    flat = g.op("Transpose", [g.op("Reshape", [rgb, g.ints([0, 3, -1])])], base="pixels", perm=[0, 2, 1])
    pal = palette()
    cross = g.op("MatMul", [flat, g.const("vision_model.palette_t", pal.T)], base="pix_dot_pal")  # [I, P, 5]
    p2 = g.op("ReduceSum", [g.op("Mul", [flat, flat]), g.ints([2])], base="pix_sq", keepdims=1)
    dist = g.op("Add", [g.op("Sub", [p2, g.op("Mul", [cross, g.scalar(2.0)])]),
                        g.const("vision_model.palette_sq", (pal ** 2).sum(axis=1))], base="pal_dist")
    assign = g.op("Softmax", [g.op("Mul", [dist, g.scalar(-1.0 / COLOUR_TEMP)])], base="pal_assign", axis=2)
    share = g.op("ReduceMean", [assign], base="pal_share", axes=[1], keepdims=0)  # [I, 5]
    fg = g.op("Slice", [share, g.ints([0]), g.ints([4]), g.ints([1])], base="colour_share")
    colour = g.op("Div", [fg, g.op("Add", [g.op("ReduceSum", [fg, g.ints([1])], keepdims=1),
                                            g.scalar(1e-6)])], base="colour_vec")
    # shape: foreground coverage of a 4x4 grid against each shape's template
    bg = g.op("Slice", [assign, g.ints([4]), g.ints([5]), g.ints([2])], base="bg_assign")   # [I, P, 1]
    fg_mask = g.op("Sub", [g.scalar(1.0), g.op("Reshape", [bg, g.ints([-1, 1, CLIP_SIZE, CLIP_SIZE])])],
                   base="fg_mask")
    cell = CLIP_SIZE // SHAPE_GRID
    cover = g.op("AveragePool", [fg_mask], base="coverage", kernel_shape=[cell, cell], strides=[cell, cell])
    cover = g.op("Reshape", [cover, g.ints([-1, 1, SHAPE_GRID * SHAPE_GRID])], base="coverage_flat")
    diff = g.op("Sub", [cover, g.const("vision_model.shape_templates", shape_templates())], base="template_diff")
    sq = g.op("ReduceSum", [g.op("Mul", [diff, diff]), g.ints([2])], base="template_dist", keepdims=0)
    shape = g.op("Softmax", [g.op("Mul", [sq, g.scalar(-1.0 / shape_temperature())])], base="shape_vec", axis=1)
    const = g.op("Mul", [g.op("ReduceSum", [shape, g.ints([1])], keepdims=1), g.scalar(CONSTANT)],
                 base="image_const")
    image = g.op("Concat", [colour, shape, const], base="image_vec", axis=1)
    image_embeds = l2_normalise(g, image, "image_embeds_n")

    logits_text = g.op("Mul", [g.op("MatMul", [text_embeds, g.op("Transpose", [image_embeds], perm=[1, 0])]),
                               g.scalar(LOGIT_SCALE)], base="logits_t")
    logits_image = g.op("Transpose", [logits_text], base="logits_i", perm=[1, 0])
    g.output(logits_image, "logits_per_image", ["image_batch_size", "text_batch_size"])
    g.output(logits_text, "logits_per_text", ["text_batch_size", "image_batch_size"])
    g.output(text_embeds, "text_embeds", ["text_batch_size", EMBED])
    g.output(image_embeds, "image_embeds", ["image_batch_size", EMBED])
    return g.model("tiny_clip", "tiny analytic CLIP: text and images to a colour x shape concept space")


def clip_np(images01, ids, mask):
    """numpy version of the CLIP graph: images [I, 3, 32, 32] in 0..1, ids/mask [T, 77]."""
    vocab, _ = tm.build_tokenizer()
    text = (clip_token_table(vocab)[ids] * mask[:, :, None]).sum(axis=1) + np.eye(EMBED)[EMBED - 1] * CONSTANT
    flat = images01.reshape(images01.shape[0], 3, -1).transpose(0, 2, 1)
    pal = palette()
    d = ((flat[:, :, None, :] - pal[None, None]) ** 2).sum(axis=3)
    a = np.exp(-(d - d.min(axis=2, keepdims=True)) / COLOUR_TEMP)
    a /= a.sum(axis=2, keepdims=True)
    share = a.mean(axis=1)
    colour = share[:, :4] / (share[:, :4].sum(axis=1, keepdims=True) + 1e-6)
    cell = CLIP_SIZE // SHAPE_GRID
    cover = (1 - a[:, :, 4]).reshape(-1, SHAPE_GRID, cell, SHAPE_GRID, cell).mean(axis=(2, 4)).reshape(-1, 1, 16)
    sq = ((cover - shape_templates()[None]) ** 2).sum(axis=2)
    z = -sq / shape_temperature()
    shape = np.exp(z - z.max(axis=1, keepdims=True))
    shape /= shape.sum(axis=1, keepdims=True)
    image = np.concatenate([colour, shape, np.full((len(shape), 1), CONSTANT)], axis=1)
    t = text / np.linalg.norm(text, axis=1, keepdims=True)
    i = image / np.linalg.norm(image, axis=1, keepdims=True)
    return t, i


def clip_config(vocab):
    eos = vocab["<|endoftext|>"]
    return {
        "_name_or_path": "tiny-analytic-clip", "architectures": ["CLIPModel"], "model_type": "clip",
        "initializer_factor": 1.0, "logit_scale_init_value": 2.6592, "projection_dim": EMBED,
        "text_config": {
            "model_type": "clip_text_model", "vocab_size": len(vocab), "hidden_size": EMBED,
            "intermediate_size": 4 * EMBED, "num_hidden_layers": 1, "num_attention_heads": 1,
            "max_position_embeddings": tm.SEQ, "bos_token_id": vocab["<|startoftext|>"],
            "eos_token_id": eos, "pad_token_id": eos, "projection_dim": EMBED,
        },
        "vision_config": {
            "model_type": "clip_vision_model", "image_size": CLIP_SIZE, "patch_size": CLIP_SIZE // SHAPE_GRID,
            "hidden_size": EMBED, "intermediate_size": 4 * EMBED, "num_hidden_layers": 1,
            "num_attention_heads": 1, "num_channels": 3, "projection_dim": EMBED,
        },
        "torch_dtype": "float32", "transformers_version": tm.TRANSFORMERS_VERSION,
    }


def clip_preprocessor_config():
    """CLIPImageProcessor's settings, as an export of openai/clip-vit-base-patch32 has them, at size 32."""
    return {
        "crop_size": {"height": CLIP_SIZE, "width": CLIP_SIZE}, "do_center_crop": True,
        "do_convert_rgb": True, "do_normalize": True, "do_rescale": True, "do_resize": True,
        "image_mean": CLIP_MEAN, "image_processor_type": "CLIPImageProcessor", "image_std": CLIP_STD,
        "processor_class": "CLIPProcessor", "resample": 3, "rescale_factor": 1 / 255,
        "size": {"shortest_edge": CLIP_SIZE},
    }


# ----------------------------------------------------------------------------------------------
# The reference distribution
# ----------------------------------------------------------------------------------------------


def mixture_json():
    names = [name for name, _, _, _ in tm.components()]
    return {
        "description": "The data distribution of the bundled tiny models (models/tiny-sd, tiny-sd-fp16, "
                       "tiny-sd-legacy, tiny-lcm) for a prompt that names no colour or shape: a Gaussian "
                       "mixture in the UNet's latent space, x0 ~ sum_k w_k N(mu_k, s^2 I). Decoded by the "
                       "model's vae_decoder (latents / scaling_factor) it gives the pictures. See "
                       "tools/tiny_models/README.md",
        "latent_shape": [tm.CHANNELS, tm.LATENT, tm.LATENT],
        "scaling_factor": tm.SCALING,
        "component_std": tm.STD,
        "means": "mixture_means.npy",
        "components": [{"index": k, "name": n, "weight": 1.0 / len(names)} for k, n in enumerate(names)],
    }


def npy_bytes(array):
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(array))
    return buf.getvalue()


# ----------------------------------------------------------------------------------------------
# Self-check (PIL for clean-fid's resize)
# ----------------------------------------------------------------------------------------------


def clean_resize(u8_hwc, size):
    from PIL import Image
    chans = []
    for c in range(3):
        f = Image.fromarray(u8_hwc[:, :, c].astype(np.float32), mode="F").resize((size, size), Image.BICUBIC)
        chans.append(np.asarray(f).clip(0, 255))
    return np.stack(chans)  # [3, size, size] 0..255


def sample_pictures(rng, k, n):
    mu = tm.mixture_means()
    lat = mu[k][None] + tm.STD * rng.standard_normal((n, tm.DIM))
    return [tm.to_uint8(img) for img in tm.decode_np(lat / tm.SCALING)]


def check():
    rng = np.random.default_rng(0)
    names = [name for name, _, _, _ in tm.components()]
    feats, labels = [], []
    for k in range(len(names)):
        for u8 in sample_pictures(rng, k, 20):
            feats.append(features_np(clean_resize(u8, FEAT_SIZE)[None] / 255.0)[0])
            labels.append(k)
    feats, labels = np.array(feats), np.array(labels)
    centres = np.array([feats[labels == k].mean(axis=0) for k in range(len(names))])
    spread = max(np.sqrt(((feats[labels == k] - centres[k]) ** 2).sum(axis=1)).max() for k in range(len(names)))
    print(f"features: {feats.shape[1]}-d; largest distance of a sample to its component's centre {spread:.4f}")
    for k in range(len(names)):
        d = np.sqrt(((centres - centres[k]) ** 2).sum(axis=1))
        d[k] = np.inf
        j = int(np.argmin(d))
        print(f"  {names[k]:16s} nearest other component {names[j]:16s} at {d[j]:.4f}")
    vocab, merges = tm.build_tokenizer()
    ids = np.array([tm.tokenize(f"a {n}", vocab, merges) for n in names])
    eos = vocab["<|endoftext|>"]
    mask = np.array([[1 if i <= list(row).index(eos) else 0 for i in range(tm.SEQ)] for row in ids])
    imgs = np.array([clean_resize(sample_pictures(rng, k, 1)[0], CLIP_SIZE) / 255.0 for k in range(len(names))])
    t, i = clip_np(imgs, ids, mask)
    score = 100 * np.maximum(t @ i.T, 0)
    print("CLIP score, prompt 'a <name>' (rows) x a sample of each component (columns):")
    for k in range(len(names)):
        print(f"  {names[k]:16s} " + " ".join(f"{v:5.1f}" for v in score[k]))
    assert all(np.argmax(score[k]) == k for k in range(len(names))), "each prompt must score highest on its picture"


# ----------------------------------------------------------------------------------------------
# Test fixtures (--test-fixtures): references the Java tests compare with, and broken models
# ----------------------------------------------------------------------------------------------


def answer_pictures():
    """The 12 pictures as uint8 [H, W, 3], exactly as models/tiny-sd/answers/*.png hold them."""
    mu = tm.mixture_means()
    return [tm.to_uint8(tm.decode_np(mu[k:k + 1] / tm.SCALING)[0]) for k in range(len(mu))]


def pil_rgb_resize(u8_hwc, size):
    """transformers' CLIPImageProcessor resize: PIL bicubic on the 8-bit RGB image."""
    from PIL import Image
    return np.asarray(Image.fromarray(u8_hwc).resize((size, size), Image.BICUBIC))


def bad_model(kind):
    """Feature models the jobs must refuse or whose features are not finite for some pictures."""
    g = tm.G(F32)
    if kind == "uint8-input":
        x = g.op("Cast", [g.input("images", TensorProto.UINT8, ["batch", 3, FEAT_SIZE, FEAT_SIZE])], to=F32)
        feats = g.op("ReduceMean", [x], axes=[2, 3], keepdims=0)
        g.output(feats, "features", ["batch", 3])
        return g.model("uint8_input", "takes uint8 images: diffusion-batch feeds floats and must refuse it")
    if kind == "two-inputs":
        x = g.input("images", F32, ["batch", 3, FEAT_SIZE, FEAT_SIZE])
        scale = g.input("scale", F32, [1])
        feats = g.op("Mul", [g.op("ReduceMean", [x], axes=[2, 3], keepdims=0), scale])
        g.output(feats, "features", ["batch", 3])
        return g.model("two_inputs", "a second input diffusion-batch cannot feed")
    # nan-features: [mean R, mean G, mean B, sqrt(mean R - mean B)]: NaN when a picture is bluer than red
    x = g.input("images", F32, ["batch", 3, FEAT_SIZE, FEAT_SIZE])
    mean = g.op("ReduceMean", [x], axes=[2, 3], keepdims=0)                          # [B, 3]
    r = g.op("Slice", [mean, g.ints([0]), g.ints([1]), g.ints([1])])
    b = g.op("Slice", [mean, g.ints([2]), g.ints([3]), g.ints([1])])
    root = g.op("Sqrt", [g.op("Sub", [r, b])])
    g.output(g.op("Concat", [mean, root], axis=1), "features", ["batch", 4])
    return g.model("nan_features", "sqrt(mean R - mean B): NaN for blue and green pictures")


def fid_scipy(mu1, s1, mu2, s2):
    """pytorch-fid's calculate_frechet_distance (scipy sqrtm)."""
    from scipy import linalg
    covmean, _ = linalg.sqrtm(s1.dot(s2), disp=False)
    covmean = covmean.real
    d = mu1 - mu2
    return float(d.dot(d) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def test_fixtures(repo):
    core = os.path.join(repo, "core", "src", "test", "resources", "metric-models")
    pics = answer_pictures()
    feats = features_np(np.array([clean_resize(p, FEAT_SIZE) for p in pics]) / 255.0).astype(np.float32)
    tm.write(os.path.join(core, "tiny_features_answers.npy"), npy_bytes(feats))
    vocab, merges = tm.build_tokenizer()
    names = [name for name, _, _, _ in tm.components()]
    ids = np.array([tm.tokenize(f"a {n}", vocab, merges) for n in names])
    eos = vocab["<|endoftext|>"]
    mask = np.array([[1 if i <= list(row).index(eos) else 0 for i in range(tm.SEQ)] for row in ids])
    imgs = np.array([pil_rgb_resize(p, CLIP_SIZE).transpose(2, 0, 1) / 255.0 for p in pics])
    text, image = clip_np(imgs, ids, mask)
    tm.write(os.path.join(core, "tiny_clip_text_embeds.npy"), npy_bytes(text.astype(np.float32)))
    tm.write(os.path.join(core, "tiny_clip_image_embeds.npy"), npy_bytes(image.astype(np.float32)))
    for kind in ("uint8-input", "two-inputs", "nan-features"):
        tm.save_model(bad_model(kind), os.path.join(core, kind, "model.onnx"))
    tm.write(os.path.join(core, "nan-features", "feature_extractor.json"), tm.dumps({
        "description": "test fixture: features [mean R, mean G, mean B, sqrt(mean R - mean B)], NaN for blue and green pictures",
        "size": [FEAT_SIZE, FEAT_SIZE], "preprocessing": "clean", "value_range": [0, 1]}))

    jobs = os.path.join(repo, "jobs", "src", "test", "resources", "metric-stats")
    rng = np.random.default_rng(8)
    d = 16
    mix = rng.standard_normal((d, d)) / np.sqrt(d)
    a = np.maximum(rng.standard_normal((300, d)) @ mix + 0.2, 0).astype(np.float32)
    b = np.maximum(rng.standard_normal((250, d)) @ mix * 1.2 + 0.35, 0).astype(np.float32)
    stats = {}
    for name, f in (("pair_a", a), ("pair_b", b)):
        f64 = f.astype(np.float64)
        stats[name] = (f64.mean(axis=0), np.cov(f64, rowvar=False))
        tm.write(os.path.join(jobs, name + ".npy"), npy_bytes(f))
        buf = io.BytesIO()
        np.savez(buf, mu=stats[name][0], sigma=stats[name][1])
        tm.write(os.path.join(jobs, name + ".npz"), buf.getvalue())
    expected = {"description": "FID of pair_a vs pair_b by pytorch-fid's calculate_frechet_distance (scipy "
                               "sqrtm), made by tools/tiny_models/make_tiny_metric_models.py --test-fixtures",
                "n_a": 300, "n_b": 250, "dim": d, "fid": fid_scipy(*stats["pair_a"], *stats["pair_b"])}
    tm.write(os.path.join(jobs, "pair.json"), tm.dumps(expected))
    print("wrote test fixtures in", core, "and", jobs)


# ----------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--out", default=os.path.normpath(os.path.join(here, "..", "..", "models")))
    ap.add_argument("--check", action="store_true", help="print how well the models separate the pictures (needs PIL)")
    ap.add_argument("--test-fixtures", action="store_true",
                    help="also write the Java tests' references and broken models (needs PIL and scipy)")
    args = ap.parse_args()

    feats, dim = feature_model()
    root = os.path.join(args.out, "tiny-features")
    tm.save_model(feats, os.path.join(root, "model.onnx"))
    tm.write(os.path.join(root, "feature_extractor.json"), tm.dumps(feature_sidecar(dim)))
    print("wrote", root)

    vocab, merges = tm.build_tokenizer()
    root = os.path.join(args.out, "tiny-clip")
    tm.save_model(clip_model(vocab), os.path.join(root, "model.onnx"))
    tm.write(os.path.join(root, "config.json"), tm.dumps(clip_config(vocab)))
    tm.write(os.path.join(root, "preprocessor_config.json"), tm.dumps(clip_preprocessor_config()))
    for fname, text in tm.tokenizer_files(vocab, merges).items():
        tm.write(os.path.join(root, fname), text)
    print("wrote", root)

    root = os.path.join(args.out, "tiny-reference")
    tm.write(os.path.join(root, "mixture.json"), tm.dumps(mixture_json()))
    tm.write(os.path.join(root, "mixture_means.npy"), npy_bytes(tm.mixture_means()))
    print("wrote", root)

    if args.test_fixtures:
        test_fixtures(os.path.normpath(os.path.join(args.out, "..")))
    if args.check:
        check()


if __name__ == "__main__":
    main()
