#!/usr/bin/python3
"""Generate the tiny analytic latent-diffusion models bundled in models/.

    /usr/bin/python3 tools/tiny_models/make_tiny_models.py [--out models]

Writes models/tiny-sd, tiny-sd-fp16, tiny-sd-legacy, tiny-lcm, tiny-sdxl and tiny-sdxl-turbo in
the Hugging Face Optimum ONNX layout. Needs only numpy and onnx (Debian: python3-numpy python3-onnx). Deterministic:
the same bytes on every run. See README.md beside this file for the math and the tensors.
"""
import argparse
import json
import math
import os
import re
import struct
import zlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# ----------------------------------------------------------------------------------------------
# Constants of the analytic model
# ----------------------------------------------------------------------------------------------
LATENT = 16                 # latent height = width
CHANNELS = 4                # latent channels
PATCH = 8                   # VAE upscale factor
IMAGE = LATENT * PATCH      # 128 pixels
SCALING = 0.18215           # vae scaling_factor (SD 1.x)
SDXL_SCALING = 0.13025      # vae scaling_factor (SDXL)
SDXL_LAYERS = 2             # tiny-sdxl text encoders: hidden_states.0 .. hidden_states.2
EOS_TRIANGLE = 0.5          # tiny-sdxl text_encoder_2: <|endoftext|>'s weight on "triangle" (tests tokenizer_2's "!" padding)
SIZE_BONUS = 12.0           # tiny-sdxl: logit added to the yellow square when time_ids are not the image's size
SIZE_BONUS_COMPONENT = 10   # yellow square
HIDDEN = 32                 # text hidden size D
SEQ = 77                    # CLIP max length
DIM = CHANNELS * LATENT * LATENT   # 1024: latent vector dimension
GAIN = 0.5                  # UNet-space latent = GAIN * patch colour in [-1, 1]
STD = GAIN * 0.05           # per-component std s_k in latent units (0.05 in colour units)
BETA = 4.0                  # log-weight bonus per matching concept word
TRAIN_STEPS = 1000
GUIDANCE_DIM = 256          # LCM time_cond_proj_dim
OPSET = 17
IR_VERSION = 8
DIFFUSERS_VERSION = "0.30.0"
TRANSFORMERS_VERSION = "4.44.0"

BACKGROUND = (232, 232, 232)
COLOURS = [  # name, RGB 0..255
    ("red", (220, 40, 40)),
    ("green", (40, 170, 60)),
    ("blue", (40, 80, 220)),
    ("yellow", (235, 200, 30)),
]
SHAPES = ["circle", "square", "triangle"]
CONCEPT_WORDS = [c for c, _ in COLOURS] + SHAPES   # hidden dim i <-> CONCEPT_WORDS[i]

COMMON_WORDS = [
    "a", "an", "of", "the", "photo", "picture", "image", "drawing", "painting", "and", "on",
    "with", "in", "big", "small", "large", "simple", "plain", "white", "background", "shape",
    "is", "it", "this", "that", "one", "two", "three", "bright", "dark", "light", "colour",
    "color", "at", "to", "for", "by", "very", "nice", "high", "quality", "detailed", "art",
    "style", "centered", "sharp", "flat", "icon", "logo", "cat", "dog", "house", "tree", "sky",
    "sun", "astronaut", "riding", "horse", "photograph", "mars", "black", "orange", "purple",
    "ball", "box", "star", "heart",
]

# ----------------------------------------------------------------------------------------------
# Noise schedule, exactly as diffusers computes it (see shared specs/samplers.md)
# ----------------------------------------------------------------------------------------------


def alphas_cumprod():
    f = np.float32
    start, end = f(0.00085 ** 0.5), f(0.012 ** 0.5)
    step = f(f(end - start) / f(TRAIN_STEPS - 1))
    i = np.arange(TRAIN_STEPS)
    lin = np.where(i < TRAIN_STEPS // 2,
                   np.float64(start) + np.float64(step) * i,
                   np.float64(end) - np.float64(step) * (TRAIN_STEPS - 1 - i)).astype(f)
    betas = (lin * lin).astype(f)
    alphas = (f(1) - betas).astype(f)
    return np.cumprod(alphas.astype(np.float64)).astype(f)


def k_sigmas():
    ac = alphas_cumprod()
    return (((np.float32(1) - ac) / ac) ** np.float32(0.5)).astype(np.float32)


# ----------------------------------------------------------------------------------------------
# Pictures, VAE decoder and the mixture means
# ----------------------------------------------------------------------------------------------


def components():
    """[(name, colour, shape, rgb)] in component order."""
    out = []
    for colour, rgb in COLOURS:
        for shape in SHAPES:
            out.append((f"{colour} {shape}", colour, shape, rgb))
    return out


def shape_mask(shape, size=IMAGE, supersample=4):
    """Coverage in [0, 1] of the shape at size x size, anti-aliased by supersampling."""
    n = size * supersample
    c = (np.arange(n) + 0.5) / supersample          # pixel-space coordinates
    y, x = np.meshgrid(c, c, indexing="ij")
    mid = size / 2.0
    if shape == "circle":
        m = (x - mid) ** 2 + (y - mid) ** 2 <= (0.36 * size) ** 2
    elif shape == "square":
        h = 0.31 * size
        m = (np.abs(x - mid) <= h) & (np.abs(y - mid) <= h)
    elif shape == "triangle":  # apex up, base at the bottom
        top, bottom, half = 0.14 * size, 0.86 * size, 0.42 * size
        frac = (y - top) / (bottom - top)
        m = (frac >= 0) & (frac <= 1) & (np.abs(x - mid) <= frac * half)
    else:
        raise ValueError(shape)
    return m.reshape(size, supersample, size, supersample).mean(axis=(1, 3))


def picture(shape, rgb):
    """[3, IMAGE, IMAGE] float64 in [-1, 1]."""
    m = shape_mask(shape)
    bg = np.array(BACKGROUND, dtype=np.float64)[:, None, None]
    fg = np.array(rgb, dtype=np.float64)[:, None, None]
    img = bg * (1 - m) + fg * m
    return img / 127.5 - 1.0


def detail_pattern():
    """The 4th latent channel's 8x8 pattern: a vertical ramp, zero mean, unit norm."""
    p = (np.arange(PATCH) - (PATCH - 1) / 2.0)
    p = np.repeat(p[:, None], PATCH, axis=1)
    return p / np.sqrt((p * p).sum())


def vae_weights(scaling=SCALING):
    """ConvTranspose2d(4 -> 3, kernel 8, stride 8) weight [4, 3, 8, 8] and bias [3].

    Acting on latents / scaling: channels 0..2 give the patch's flat R, G, B (so the UNet-space
    latent of a patch is GAIN x its mean colour in [-1, 1]); channel 3 adds a vertical luminance
    ramp (GAIN x its coefficient).
    """
    w = np.zeros((CHANNELS, 3, PATCH, PATCH), dtype=np.float64)
    for c in range(3):
        w[c, c, :, :] = scaling / GAIN
    pat = detail_pattern()
    for c in range(3):
        w[3, c, :, :] = scaling / GAIN * pat
    return w.astype(np.float32), np.zeros(3, dtype=np.float32)


def encode_latent(img):
    """UNet-space latent [4, 16, 16] of a picture [3, 128, 128] (least squares on each patch)."""
    p = img.reshape(3, LATENT, PATCH, LATENT, PATCH)
    mean = p.mean(axis=(2, 4))                                       # [3, 16, 16]
    lum = p.mean(axis=0)                                             # [16, 8, 16, 8]
    pat = detail_pattern()
    det = np.einsum("iyjx,yx->ij", lum, pat)                         # projection, unit-norm pattern
    return GAIN * np.concatenate([mean, det[None]], axis=0)


def decode_np(latents):
    """numpy version of the vae_decoder graph: latents (already / SCALING) [B,4,16,16]."""
    w, b = vae_weights()
    w = w.astype(np.float64)
    latents = np.asarray(latents, dtype=np.float64).reshape(-1, CHANNELS, LATENT, LATENT)
    out = np.einsum("bcij,copq->boipjq", latents, w).reshape(latents.shape[0], 3, IMAGE, IMAGE)
    return out + b[None, :, None, None]


def mixture_means():
    """mu [K, 1024] float32 in the UNet's latent space."""
    mus = []
    for _, _, shape, rgb in components():
        mus.append(encode_latent(picture(shape, rgb)).reshape(-1))
    return np.array(mus, dtype=np.float32)


# ----------------------------------------------------------------------------------------------
# Tokenizer (CLIP byte-level BPE format)
# ----------------------------------------------------------------------------------------------


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


PRETOKEN = re.compile(
    r"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[^\W\d_]+|\d|(?:[^\s\w]|_)+",
    re.IGNORECASE)


def bpe(token, ranks):
    """CLIP's bpe(): token is a byte-encoded word; returns the list of pieces."""
    word = list(token[:-1]) + [token[-1] + "</w>"]
    while len(word) > 1:
        pairs = [(word[i], word[i + 1]) for i in range(len(word) - 1)]
        best = min(pairs, key=lambda p: ranks.get(p, float("inf")))
        if best not in ranks:
            break
        new, i = [], 0
        while i < len(word):
            if i < len(word) - 1 and (word[i], word[i + 1]) == best:
                new.append(word[i] + word[i + 1])
                i += 2
            else:
                new.append(word[i])
                i += 1
        word = new
    return word


def build_tokenizer():
    """Returns (vocab dict token->id, merges list of pairs)."""
    merges, ranks = [], {}
    for w in CONCEPT_WORDS + COMMON_WORDS:
        while True:
            pieces = bpe(w, ranks)
            if len(pieces) == 1:
                break
            pair = (pieces[0], pieces[1])
            ranks[pair] = len(merges)
            merges.append(pair)
    b2u = bytes_to_unicode()
    tokens = list(b2u.values())
    tokens += [t + "</w>" for t in tokens]
    for a, b in merges:
        tokens.append(a + b)
    tokens += ["<|startoftext|>", "<|endoftext|>"]
    vocab = {}
    for t in tokens:
        if t not in vocab:
            vocab[t] = len(vocab)
    return vocab, merges


def tokenize(text, vocab, merges):
    """CLIPTokenizer(text, padding='max_length', max_length=77, truncation=True).input_ids"""
    ranks = {p: i for i, p in enumerate(merges)}
    b2u = bytes_to_unicode()
    text = re.sub(r"\s+", " ", text).strip().lower()
    ids = []
    for tok in PRETOKEN.findall(text):
        tok = "".join(b2u[b] for b in tok.encode("utf-8"))
        ids.extend(vocab[p] for p in bpe(tok, ranks))
    bos, eos = vocab["<|startoftext|>"], vocab["<|endoftext|>"]
    ids = [bos] + ids[:SEQ - 2] + [eos]
    return ids + [eos] * (SEQ - len(ids))


# ----------------------------------------------------------------------------------------------
# Text conditioning tables
# ----------------------------------------------------------------------------------------------


def text_tables(vocab):
    """Embedding table E [V, D] and the UNet's concept matrix M [D, K] (beta folded in)."""
    E = np.zeros((len(vocab), HIDDEN), dtype=np.float32)
    for i, w in enumerate(CONCEPT_WORDS):
        E[vocab[w + "</w>"], i] = 1.0
    comps = components()
    M = np.zeros((HIDDEN, len(comps)), dtype=np.float32)
    for k, (_, colour, shape, _) in enumerate(comps):
        M[CONCEPT_WORDS.index(colour), k] = BETA
        M[CONCEPT_WORDS.index(shape), k] = BETA
    return E, M


# ----------------------------------------------------------------------------------------------
# ONNX graph building
# ----------------------------------------------------------------------------------------------
F32, F16, I64, I32 = TensorProto.FLOAT, TensorProto.FLOAT16, TensorProto.INT64, TensorProto.INT32


class G:
    """Tiny graph builder: float32 compute; `ftype` is the dtype of float I/O and weights."""

    def __init__(self, ftype=F32):
        self.ftype = ftype
        self.nodes, self.inits, self.inputs, self.outputs = [], [], [], []
        self.n = 0

    def name(self, base):
        self.n += 1
        return f"{base}_{self.n}"

    def op(self, op_type, inputs, base=None, **attrs):
        out = self.name(base or op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=f"/{out}", **attrs))
        return out

    def const(self, name, array, weight=True):
        """An initializer. Float weights are stored in ftype and cast to float32 in the graph;
        small helper constants (weight=False) and integer tensors are stored as they are."""
        array = np.asarray(array)
        if array.dtype.kind == "f":
            array = array.astype(np.float32)
            if weight and self.ftype == F16:
                self.inits.append(numpy_helper.from_array(array.astype(np.float16), name))
                return self.op("Cast", [name], base=name.split(".")[-1] + "_f32", to=F32)
        self.inits.append(numpy_helper.from_array(array, name))
        return name

    # Small helper constants are Constant nodes, not initializers: with external data
    # (size_threshold=0) ONNX Runtime cannot read axes/shape initializers during shape inference.
    def constant_node(self, base, array):
        nm = self.name(base)
        self.nodes.append(helper.make_node("Constant", [], [nm], name=f"/{nm}",
                                           value=numpy_helper.from_array(array, nm)))
        return nm

    def scalar(self, value, dtype=np.float32):
        return self.constant_node("const", np.array(value, dtype=dtype))

    def ints(self, values):
        return self.constant_node("axes", np.array(values, dtype=np.int64))

    def input(self, name, elem, shape):
        self.inputs.append(helper.make_tensor_value_info(name, elem, shape))
        if elem == F16:
            return self.op("Cast", [name], base=name + "_f32", to=F32)
        return name

    def output(self, value, name, shape, elem=None):
        elem = self.ftype if elem is None else elem
        src = value
        if elem == F16:
            src = self.op("Cast", [value], base=name + "_f16", to=F16)
        self.nodes.append(helper.make_node("Identity", [src], [name], name=f"/{name}"))
        self.outputs.append(helper.make_tensor_value_info(name, elem, shape))

    def model(self, graph_name, doc):
        graph = helper.make_graph(self.nodes, graph_name, self.inputs, self.outputs, self.inits)
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="diffusion-batch tools/tiny_models",
                              producer_version="1", doc_string=doc)
        m.ir_version = IR_VERSION
        onnx.checker.check_model(m)
        return m


def text_encoder_model(vocab, ftype, ids_type):
    E, _ = text_tables(vocab)
    g = G(ftype)
    ids = g.input("input_ids", ids_type, ["batch", SEQ])
    table = g.const("text_model.embeddings.token_embedding.weight", E)
    hidden = g.op("Gather", [table, ids], base="hidden", axis=0)             # [B, 77, D]
    pooled = g.op("ReduceSum", [hidden, g.ints([1])], base="pooled", keepdims=0)
    g.output(hidden, "last_hidden_state", ["batch", SEQ, HIDDEN])
    g.output(pooled, "pooler_output", ["batch", HIDDEN])
    return g.model("text_encoder", "tiny analytic CLIP text encoder: concept-word embeddings")


def vae_decoder_model(ftype, scaling=SCALING):
    w, b = vae_weights(scaling)
    g = G(ftype)
    z = g.input("latent_sample", ftype, ["batch", CHANNELS, LATENT, LATENT])
    wt = g.const("decoder.conv_out.weight", w)
    bt = g.const("decoder.conv_out.bias", b)
    img = g.op("ConvTranspose", [z, wt, bt], base="decoded", kernel_shape=[PATCH, PATCH],
               strides=[PATCH, PATCH])
    g.output(img, "sample", ["batch", 3, IMAGE, IMAGE])
    return g.model("vae_decoder", "tiny analytic VAE decoder: 4-channel latent pixel -> 8x8 RGB patch")


def mixture_eps(g, x, a, s, logw, mu, var_coef, n_dim):
    """Noise prediction of the Gaussian mixture.

    x [B, DIM]; a, s [n, 1] (n = 1 or B); logw [B or 1, K]; mu [K, DIM]; var_coef [K] (= s_k^2).
    Returns eps [B, DIM].
    """
    a2 = g.op("Mul", [a, a], base="a2")
    s2 = g.op("Mul", [s, s], base="s2")
    var = g.op("Add", [g.op("Mul", [a2, var_coef]), s2], base="var")           # [n, K]
    a3 = g.op("Unsqueeze", [a, g.ints([2])], base="a_3d")                      # [n, 1, 1]
    amu = g.op("Mul", [a3, mu], base="a_mu")                                   # [n, K, DIM]
    x3 = g.op("Unsqueeze", [x, g.ints([1])], base="x_3d")                      # [B, 1, DIM]
    diff = g.op("Sub", [x3, amu], base="diff")                                 # [B, K, DIM]
    dist = g.op("ReduceSum", [g.op("Mul", [diff, diff]), g.ints([2])], base="dist", keepdims=0)
    log_norm = g.op("Mul", [g.op("Log", [g.op("Mul", [var, g.scalar(2 * math.pi)])]),
                            g.scalar(n_dim / 2.0)], base="log_norm")          # [n, K]
    quad = g.op("Div", [dist, g.op("Mul", [var, g.scalar(2.0)])], base="quad")  # [B, K]
    logp = g.op("Sub", [g.op("Sub", [logw, log_norm]), quad], base="logp")
    r = g.op("Softmax", [logp], base="resp", axis=-1)                          # [B, K]
    rv = g.op("Div", [r, var], base="r_over_var")                              # [B, K]
    pull = g.op("Mul", [a, g.op("MatMul", [rv, mu])], base="pull")             # [B, DIM]
    rsum = g.op("ReduceSum", [rv, g.ints([1])], base="r_sum", keepdims=1)      # [B, 1]
    score = g.op("Sub", [pull, g.op("Mul", [x, rsum])], base="score")
    return g.op("Mul", [g.op("Neg", [s]), score], base="eps")


def unet_model(vocab, ftype, timestep_kind, lcm):
    """timestep_kind: 'scalar' (float rank 0, ftype) or 'int64' ([batch] int64)."""
    _, M = text_tables(vocab)
    mu = mixture_means()
    K = mu.shape[0]
    g = G(ftype)
    sample = g.input("sample", ftype, ["batch", CHANNELS, LATENT, LATENT])
    if timestep_kind == "scalar":
        t = g.input("timestep", ftype, [])
    else:
        t = g.op("Cast", [g.input("timestep", I64, ["batch"])], base="timestep_f32", to=F32)
    ehs = g.input("encoder_hidden_states", ftype, ["batch", SEQ, HIDDEN])
    if lcm:
        tcond = g.input("timestep_cond", ftype, ["batch", GUIDANCE_DIM])

    # k-diffusion sigma S(t), linear interpolation of the 1000-entry table, then a, s
    sig_table = g.const("time_embedding.sigmas", k_sigmas())
    tt = g.op("Reshape", [t, g.ints([-1, 1])], base="t_col")                   # [n, 1]
    tt = g.op("Clip", [tt, g.scalar(0.0), g.scalar(float(TRAIN_STEPS - 1))], base="t_clip")
    t0 = g.op("Floor", [tt], base="t_floor")
    t1 = g.op("Min", [g.op("Add", [t0, g.scalar(1.0)]), g.scalar(float(TRAIN_STEPS - 1))],
              base="t_ceil")
    frac = g.op("Sub", [tt, t0], base="t_frac")
    s0 = g.op("Gather", [sig_table, g.op("Cast", [t0], to=I64)], base="sigma_lo", axis=0)
    s1 = g.op("Gather", [sig_table, g.op("Cast", [t1], to=I64)], base="sigma_hi", axis=0)
    sigma = g.op("Add", [s0, g.op("Mul", [frac, g.op("Sub", [s1, s0])])], base="sigma")
    a = g.op("Reciprocal", [g.op("Sqrt", [g.op("Add", [g.op("Mul", [sigma, sigma]),
                                                        g.scalar(1.0)])])], base="alpha")
    s = g.op("Mul", [sigma, a], base="sigma_t")

    # text -> mixture log-weights
    base_logits = g.const("conditioning.base_logits", np.zeros(K, dtype=np.float32))
    concept = g.const("conditioning.concept_weight", M)
    pooled = g.op("ReduceSum", [ehs, g.ints([1])], base="text_sum", keepdims=0)  # [B, D]
    logits = g.op("Add", [base_logits, g.op("MatMul", [pooled, concept])], base="logits")
    logw = g.op("LogSoftmax", [logits], base="log_w", axis=-1)                 # [B, K]

    x = g.op("Reshape", [sample, g.ints([-1, DIM])], base="x")
    mu_t = g.const("mixture.means", mu)
    var_coef = g.const("mixture.variances", np.full(K, STD * STD, dtype=np.float32))
    eps = mixture_eps(g, x, a, s, logw, mu_t, var_coef, DIM)
    if lcm:
        logw_u = g.op("LogSoftmax", [base_logits], base="log_w_uncond", axis=-1)  # [K]
        eps_u = mixture_eps(g, x, a, s, logw_u, mu_t, var_coef, DIM)
        # guidance scale from the lowest-frequency (sin, cos) pair: angle = (g-1)*1000*f_127
        half = GUIDANCE_DIM // 2
        f_low = math.exp(-math.log(10000.0) * (half - 1) / (half - 1))
        ys = g.op("Gather", [tcond, g.ints(half - 1)], base="cond_sin", axis=1)    # [B]
        xc = g.op("Gather", [tcond, g.ints(GUIDANCE_DIM - 1)], base="cond_cos", axis=1)
        tiny = g.op("Less", [g.op("Abs", [xc]), g.scalar(1e-20)], base="cos_is_zero")
        xc_safe = g.op("Where", [tiny, g.scalar(1e-20), xc], base="cos_safe")
        ang = g.op("Atan", [g.op("Div", [ys, xc_safe])], base="atan")
        neg_x = g.op("Less", [xc_safe, g.scalar(0.0)], base="cos_neg")
        y_neg = g.op("Less", [ys, g.scalar(0.0)], base="sin_neg")
        shift = g.op("Where", [y_neg, g.scalar(-math.pi), g.scalar(math.pi)], base="pi_shift")
        ang = g.op("Where", [neg_x, g.op("Add", [ang, shift]), ang], base="angle")
        gs = g.op("Add", [g.op("Mul", [ang, g.scalar(1.0 / (1000.0 * f_low))]), g.scalar(1.0)],
                  base="guidance")
        gs = g.op("Reshape", [gs, g.ints([-1, 1])], base="guidance_col")      # [B, 1]
        eps = g.op("Add", [eps_u, g.op("Mul", [gs, g.op("Sub", [eps, eps_u])])],
                   base="eps_guided")
    out = g.op("Reshape", [eps, g.ints([-1, CHANNELS, LATENT, LATENT])], base="eps_4d")
    g.output(out, "out_sample", ["batch", CHANNELS, LATENT, LATENT])
    doc = ("tiny analytic UNet: exact epsilon of a Gaussian mixture whose weights come from "
           "the prompt" + ("; applies LCM guidance from timestep_cond" if lcm else ""))
    return g.model("unet", doc)


# ----------------------------------------------------------------------------------------------
# tiny-sdxl: the same mixture behind SDXL's interfaces
# ----------------------------------------------------------------------------------------------


def sdxl_text_table(vocab, second):
    """text_encoder: colour words one-hot (dims 0..3). text_encoder_2: shape words one-hot (dims 4..6),
    and <|endoftext|> EOS_TRIANGLE on the triangle dim (so padding with it instead of "!" shows)."""
    E = np.zeros((len(vocab), HIDDEN), dtype=np.float32)
    words = SHAPES if second else [c for c, _ in COLOURS]
    for w in words:
        E[vocab[w + "</w>"], CONCEPT_WORDS.index(w)] = 1.0
    if second:
        E[vocab["<|endoftext|>"], CONCEPT_WORDS.index("triangle")] = EOS_TRIANGLE
    return E


def sdxl_text_encoder_model(vocab, second):
    """hidden_states.1 (the penultimate, what SDXL uses) = E[ids]; hidden_states.0 = E/2 and
    hidden_states.2 = last_hidden_state = -E are wrong on purpose. text_encoder_2's text_embeds
    (the pooled projection) = sum over the sequence of hidden_states.1."""
    g = G(F32)
    ids = g.input("input_ids", I64, ["batch", SEQ])
    table = g.const("text_model.embeddings.token_embedding.weight", sdxl_text_table(vocab, second))
    hidden = g.op("Gather", [table, ids], base="hidden", axis=0)                      # [B, 77, D]
    first = g.op("Mul", [hidden, g.scalar(0.5)], base="embeddings")
    last = g.op("Neg", [hidden], base="last")
    seq = ["batch", SEQ, HIDDEN]
    if second:
        pooled = g.op("ReduceSum", [hidden, g.ints([1])], base="pooled", keepdims=0)
        proj = g.const("text_projection.weight", np.eye(HIDDEN, dtype=np.float32))
        g.output(g.op("MatMul", [pooled, proj], base="projected"), "text_embeds", ["batch", HIDDEN])
        g.output(last, "last_hidden_state", seq)
    else:
        g.output(last, "last_hidden_state", seq)
        g.output(g.op("ReduceSum", [last, g.ints([1])], base="pooled", keepdims=0), "pooler_output", ["batch", HIDDEN])
    for i, value in enumerate([first, hidden, last]):
        g.output(value, f"hidden_states.{i}", seq)
    name = "text_encoder_2" if second else "text_encoder"
    return g.model(name, "tiny analytic SDXL " + name + ": concept-word embeddings as hidden_states.1")


def sdxl_unet_model(vocab):
    """Colour logits from the first half of encoder_hidden_states (text_encoder), shape logits from
    the product of the second half's shape counts (text_encoder_2) and text_embeds' (both must
    arrive), a size bonus for the yellow square when time_ids are not (128, 128, 0, 0, 128, 128)."""
    mu = mixture_means()
    K = mu.shape[0]
    comps = components()
    g = G(F32)
    sample = g.input("sample", F32, ["batch", CHANNELS, LATENT, LATENT])
    t = g.input("timestep", F32, [])
    ehs = g.input("encoder_hidden_states", F32, ["batch", SEQ, 2 * HIDDEN])
    text_embeds = g.input("text_embeds", F32, ["batch", HIDDEN])
    time_ids = g.input("time_ids", F32, ["batch", 6])

    sig_table = g.const("time_embedding.sigmas", k_sigmas())
    tt = g.op("Reshape", [t, g.ints([-1, 1])], base="t_col")
    tt = g.op("Clip", [tt, g.scalar(0.0), g.scalar(float(TRAIN_STEPS - 1))], base="t_clip")
    t0 = g.op("Floor", [tt], base="t_floor")
    t1 = g.op("Min", [g.op("Add", [t0, g.scalar(1.0)]), g.scalar(float(TRAIN_STEPS - 1))], base="t_ceil")
    frac = g.op("Sub", [tt, t0], base="t_frac")
    s0 = g.op("Gather", [sig_table, g.op("Cast", [t0], to=I64)], base="sigma_lo", axis=0)
    s1 = g.op("Gather", [sig_table, g.op("Cast", [t1], to=I64)], base="sigma_hi", axis=0)
    sigma = g.op("Add", [s0, g.op("Mul", [frac, g.op("Sub", [s1, s0])])], base="sigma")
    a = g.op("Reciprocal", [g.op("Sqrt", [g.op("Add", [g.op("Mul", [sigma, sigma]),
                                                        g.scalar(1.0)])])], base="alpha")
    s = g.op("Mul", [sigma, a], base="sigma_t")

    colour = np.zeros((2 * HIDDEN, K), dtype=np.float32)       # first half's colour dims
    second_half = np.zeros((2 * HIDDEN, HIDDEN), dtype=np.float32)
    second_half[HIDDEN:, :] = np.eye(HIDDEN, dtype=np.float32)
    shape = np.zeros((HIDDEN, K), dtype=np.float32)            # shape dims of text_encoder_2's space
    bonus = np.zeros((1, K), dtype=np.float32)
    bonus[0, SIZE_BONUS_COMPONENT] = SIZE_BONUS
    for k, (_, c, sh, _) in enumerate(comps):
        colour[CONCEPT_WORDS.index(c), k] = BETA
        shape[CONCEPT_WORDS.index(sh), k] = BETA
    v = g.op("ReduceSum", [ehs, g.ints([1])], base="text_sum", keepdims=0)             # [B, 2D]
    colour_logits = g.op("MatMul", [v, g.const("conditioning.colour_weight", colour)], base="colour_logits")
    v2 = g.op("MatMul", [v, g.const("conditioning.second_encoder", second_half)], base="second_sum")
    agree = g.op("Mul", [v2, text_embeds], base="shape_agreement")                      # [B, D]
    shape_logits = g.op("MatMul", [agree, g.const("add_embedding.shape_weight", shape)], base="shape_logits")
    expected_ids = np.array([[IMAGE, IMAGE, 0, 0, IMAGE, IMAGE]], dtype=np.float32)
    off = g.op("Abs", [g.op("Sub", [time_ids, g.const("add_time_proj.expected", expected_ids)])], base="size_off")
    off = g.op("Min", [g.op("ReduceSum", [off, g.ints([1])], base="size_off_sum", keepdims=1), g.scalar(1.0)],
               base="size_gate")                                                        # [B, 1]
    size_logits = g.op("Mul", [off, g.const("add_time_proj.bonus", bonus)], base="size_logits")
    logits = g.op("Add", [g.op("Add", [colour_logits, shape_logits]), size_logits], base="logits")
    logw = g.op("LogSoftmax", [logits], base="log_w", axis=-1)

    x = g.op("Reshape", [sample, g.ints([-1, DIM])], base="x")
    mu_t = g.const("mixture.means", mu)
    var_coef = g.const("mixture.variances", np.full(K, STD * STD, dtype=np.float32))
    eps = mixture_eps(g, x, a, s, logw, mu_t, var_coef, DIM)
    out = g.op("Reshape", [eps, g.ints([-1, CHANNELS, LATENT, LATENT])], base="eps_4d")
    g.output(out, "out_sample", ["batch", CHANNELS, LATENT, LATENT])
    return g.model("unet", "tiny analytic SDXL UNet: exact epsilon of a Gaussian mixture whose weights come "
                           "from both text encoders, text_embeds and time_ids")


# ----------------------------------------------------------------------------------------------
# Config files
# ----------------------------------------------------------------------------------------------


def scheduler_config(lcm):
    if lcm:
        return {
            "_class_name": "LCMScheduler", "_diffusers_version": DIFFUSERS_VERSION,
            "beta_end": 0.012, "beta_schedule": "scaled_linear", "beta_start": 0.00085,
            "clip_sample": False, "clip_sample_range": 1.0, "dynamic_thresholding_ratio": 0.995,
            "num_train_timesteps": TRAIN_STEPS, "original_inference_steps": 50,
            "prediction_type": "epsilon", "rescale_betas_zero_snr": False,
            "sample_max_value": 1.0, "set_alpha_to_one": True, "steps_offset": 1,
            "thresholding": False, "timestep_scaling": 10.0, "timestep_spacing": "leading",
            "trained_betas": None,
        }
    return {
        "_class_name": "PNDMScheduler", "_diffusers_version": DIFFUSERS_VERSION,
        "beta_end": 0.012, "beta_schedule": "scaled_linear", "beta_start": 0.00085,
        "clip_sample": False, "num_train_timesteps": TRAIN_STEPS, "prediction_type": "epsilon",
        "set_alpha_to_one": False, "skip_prk_steps": True, "steps_offset": 1,
        "timestep_spacing": "leading", "trained_betas": None,
    }


def model_index(lcm):
    return {
        "_class_name": "LatentConsistencyModelPipeline" if lcm else "StableDiffusionPipeline",
        "_diffusers_version": DIFFUSERS_VERSION,
        "feature_extractor": [None, None],
        "image_encoder": [None, None],
        "requires_safety_checker": False,
        "safety_checker": [None, None],
        "scheduler": ["diffusers", "LCMScheduler" if lcm else "PNDMScheduler"],
        "text_encoder": ["transformers", "CLIPTextModel"],
        "tokenizer": ["transformers", "CLIPTokenizer"],
        "unet": ["diffusers", "UNet2DConditionModel"],
        "vae_decoder": ["diffusers", "AutoencoderKL"],
    }


SDXL_BASE_SCHEDULER = {  # stabilityai/stable-diffusion-xl-base-1.0 scheduler/scheduler_config.json
    "_class_name": "EulerDiscreteScheduler", "_diffusers_version": "0.19.0.dev0", "beta_end": 0.012,
    "beta_schedule": "scaled_linear", "beta_start": 0.00085, "clip_sample": False, "interpolation_type": "linear",
    "num_train_timesteps": TRAIN_STEPS, "prediction_type": "epsilon", "sample_max_value": 1.0,
    "set_alpha_to_one": False, "skip_prk_steps": True, "steps_offset": 1, "timestep_spacing": "leading",
    "trained_betas": None, "use_karras_sigmas": False,
}
SDXL_TURBO_SCHEDULER = dict(  # stabilityai/sdxl-turbo scheduler/scheduler_config.json
    SDXL_BASE_SCHEDULER, _class_name="EulerAncestralDiscreteScheduler", _diffusers_version="0.24.0.dev0",
    timestep_spacing="trailing")


def sdxl_model_index(turbo):
    return {
        "_class_name": "StableDiffusionXLPipeline",
        "_diffusers_version": DIFFUSERS_VERSION,
        "feature_extractor": [None, None],
        "force_zeros_for_empty_prompt": True,
        "image_encoder": [None, None],
        "scheduler": ["diffusers", "EulerAncestralDiscreteScheduler" if turbo else "EulerDiscreteScheduler"],
        "text_encoder": ["transformers", "CLIPTextModel"],
        "text_encoder_2": ["transformers", "CLIPTextModelWithProjection"],
        "tokenizer": ["transformers", "CLIPTokenizer"],
        "tokenizer_2": ["transformers", "CLIPTokenizer"],
        "unet": ["diffusers", "UNet2DConditionModel"],
        "vae": ["diffusers", "AutoencoderKL"],
    }


def sdxl_unet_config():
    return dict(unet_config(False), addition_embed_type="text_time", addition_time_embed_dim=8,
                cross_attention_dim=2 * HIDDEN, projection_class_embeddings_input_dim=6 * 8 + HIDDEN)


def sdxl_text_encoder_config(vocab, second):
    c = dict(text_encoder_config(vocab, "float32"), num_hidden_layers=SDXL_LAYERS, output_hidden_states=True,
             export_model_type="clip-text-with-projection" if second else "clip-text")
    if second:
        c.update(architectures=["CLIPTextModelWithProjection"], hidden_act="gelu", pad_token_id=vocab["!"])
    return c


def text_encoder_config(vocab, dtype):
    return {
        "_name_or_path": "tiny-analytic-clip", "architectures": ["CLIPTextModel"],
        "attention_dropout": 0.0, "bos_token_id": vocab["<|startoftext|>"], "dropout": 0.0,
        "eos_token_id": vocab["<|endoftext|>"], "hidden_act": "quick_gelu",
        "hidden_size": HIDDEN, "initializer_factor": 1.0, "initializer_range": 0.02,
        "intermediate_size": 4 * HIDDEN, "layer_norm_eps": 1e-05,
        "max_position_embeddings": SEQ, "model_type": "clip_text_model",
        "num_attention_heads": 4, "num_hidden_layers": 1,
        "pad_token_id": vocab["<|endoftext|>"], "projection_dim": HIDDEN,
        "torch_dtype": dtype, "transformers_version": TRANSFORMERS_VERSION,
        "vocab_size": len(vocab),
    }


def unet_config(lcm):
    return {
        "_class_name": "UNet2DConditionModel", "_diffusers_version": DIFFUSERS_VERSION,
        "act_fn": "silu", "addition_embed_type": None, "attention_head_dim": 8,
        "block_out_channels": [32, 64], "center_input_sample": False,
        "cross_attention_dim": HIDDEN,
        "down_block_types": ["CrossAttnDownBlock2D", "DownBlock2D"],
        "flip_sin_to_cos": True, "freq_shift": 0, "in_channels": CHANNELS,
        "layers_per_block": 1, "mid_block_scale_factor": 1, "norm_eps": 1e-05,
        "norm_num_groups": 32, "out_channels": CHANNELS, "sample_size": LATENT,
        "time_cond_proj_dim": GUIDANCE_DIM if lcm else None,
        "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D"],
    }


def vae_config(scaling=SCALING):
    return {
        "_class_name": "AutoencoderKL", "_diffusers_version": DIFFUSERS_VERSION,
        "act_fn": "silu", "block_out_channels": [8, 16, 32, 32],
        "down_block_types": ["DownEncoderBlock2D"] * 4, "force_upcast": True,
        "in_channels": 3, "latent_channels": CHANNELS, "layers_per_block": 1,
        "norm_num_groups": 8, "out_channels": 3, "sample_size": IMAGE,
        "scaling_factor": scaling, "up_block_types": ["UpDecoderBlock2D"] * 4,
    }


def tokenizer_files(vocab, merges, pad="<|endoftext|>"):
    def special(content):
        return {"content": content, "lstrip": False, "normalized": True, "rstrip": False,
                "single_word": False}
    cfg = {
        "add_prefix_space": False,
        "bos_token": dict(__type="AddedToken", **special("<|startoftext|>")),
        "clean_up_tokenization_spaces": True,
        "do_lower_case": True,
        "eos_token": dict(__type="AddedToken", **special("<|endoftext|>")),
        "errors": "replace",
        "model_max_length": SEQ,
        "pad_token": pad,
        "tokenizer_class": "CLIPTokenizer",
        "unk_token": dict(__type="AddedToken", **special("<|endoftext|>")),
    }
    smap = {"bos_token": special("<|startoftext|>"), "eos_token": special("<|endoftext|>"),
            "pad_token": pad, "unk_token": special("<|endoftext|>")}
    return {
        "vocab.json": json.dumps(vocab, ensure_ascii=False),
        "merges.txt": "#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges),
        "tokenizer_config.json": dumps(cfg),
        "special_tokens_map.json": dumps(smap),
    }


# ----------------------------------------------------------------------------------------------
# Output helpers
# ----------------------------------------------------------------------------------------------


def dumps(obj, indent=""):
    """JSON with 2-space indentation, but lists of scalars (and lists of such lists) kept on
    one line each, so answers.json stays small and readable."""
    def flat(o):
        return isinstance(o, list) and all(not isinstance(e, (dict, list)) for e in o)
    pad = indent + "  "
    if isinstance(obj, dict) and obj:
        items = [f"{pad}{json.dumps(k)}: {dumps(v, pad).rstrip()}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}" + ("" if indent else "\n")
    if isinstance(obj, list) and obj and not flat(obj):
        if all(flat(e) for e in obj) and sum(len(e) for e in obj) <= 64:
            return json.dumps(obj) + ("" if indent else "\n")
        items = [f"{pad}{dumps(v, pad).rstrip()}" for v in obj]
        return "[\n" + ",\n".join(items) + "\n" + indent + "]" + ("" if indent else "\n")
    return json.dumps(obj) + ("" if indent else "\n")


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(path, mode, **({} if mode == "wb" else {"encoding": "utf-8", "newline": "\n"})) as f:
        f.write(data)


def png_bytes(rgb):
    """rgb uint8 [H, W, 3] -> PNG bytes (deterministic, no PIL needed)."""
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def to_uint8(img):
    """[3, H, W] in [-1, 1] -> uint8 [H, W, 3] the way the pipeline does it."""
    x = np.clip(img * 0.5 + 0.5, 0, 1)
    return np.round(x * 255).astype(np.uint8).transpose(1, 2, 0)


def save_model(model, path, external=False):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    data = path + "_data"
    if os.path.exists(data):
        os.remove(data)
    if external:
        onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location=os.path.basename(data), size_threshold=0)
    else:
        onnx.save_model(model, path)


# ----------------------------------------------------------------------------------------------
# Variants
# ----------------------------------------------------------------------------------------------
VARIANTS = {
    # name: (float type, input_ids type, timestep kind, lcm, unet external data)
    "tiny-sd": (F32, I64, "scalar", False, False),
    "tiny-sd-fp16": (F16, I64, "scalar", False, False),
    "tiny-sd-legacy": (F32, I32, "int64", False, True),
    "tiny-lcm": (F32, I64, "scalar", True, False),
}


def write_sdxl(root, vocab, merges, turbo):
    """tiny-sdxl (SDXL base's EulerDiscrete config) or tiny-sdxl-turbo (sdxl-turbo's EulerAncestral
    "trailing"): the same graphs."""
    write(os.path.join(root, "model_index.json"), dumps(sdxl_model_index(turbo)))
    write(os.path.join(root, "scheduler", "scheduler_config.json"),
          dumps(SDXL_TURBO_SCHEDULER if turbo else SDXL_BASE_SCHEDULER))
    for folder, pad in (("tokenizer", "<|endoftext|>"), ("tokenizer_2", "!")):
        for fname, text in tokenizer_files(vocab, merges, pad).items():
            write(os.path.join(root, folder, fname), text)
    for folder, second in (("text_encoder", False), ("text_encoder_2", True)):
        write(os.path.join(root, folder, "config.json"), dumps(sdxl_text_encoder_config(vocab, second)))
        save_model(sdxl_text_encoder_model(vocab, second), os.path.join(root, folder, "model.onnx"))
    write(os.path.join(root, "unet", "config.json"), dumps(sdxl_unet_config()))
    save_model(sdxl_unet_model(vocab), os.path.join(root, "unet", "model.onnx"))
    write(os.path.join(root, "vae_decoder", "config.json"), dumps(vae_config(SDXL_SCALING)))
    save_model(vae_decoder_model(F32, SDXL_SCALING), os.path.join(root, "vae_decoder", "model.onnx"))


def answers(vocab, merges):
    comps = components()
    mu = mixture_means()
    _, M = text_tables(vocab)
    out = {
        "description": "Answers of the tiny analytic model: a Gaussian mixture over these "
                       "pictures; see tools/tiny_models/README.md",
        "image_size": IMAGE, "latent_size": LATENT, "latent_channels": CHANNELS,
        "scaling_factor": SCALING, "latent_gain": GAIN, "component_std": STD, "concept_beta": BETA,
        "hidden_size": HIDDEN, "background_rgb": list(BACKGROUND),
        "bos_id": vocab["<|startoftext|>"], "eos_id": vocab["<|endoftext|>"],
        "pad_id": vocab["<|endoftext|>"], "vocab_size": len(vocab),
        "concept_words": {w: {"token": w + "</w>", "id": vocab[w + "</w>"], "hidden_dim": i}
                          for i, w in enumerate(CONCEPT_WORDS)},
        "components": [],
        "example_prompts": {},
    }
    for k, (name, colour, shape, rgb) in enumerate(comps):
        dec = decode_np(mu[k:k + 1] / SCALING)[0]
        u8 = to_uint8(dec)
        patch = u8.reshape(LATENT, PATCH, LATENT, PATCH, 3).mean(axis=(1, 3))
        out["components"].append({
            "index": k, "name": name, "words": [colour, shape], "shape_rgb": list(rgb),
            "base_logit": 0.0,
            "word_logit_bonus": {colour: BETA, shape: BETA},
            "picture": f"answers/{k:02d}-{name.replace(' ', '-')}.png",
            "mean_rgb": [round(float(v), 3) for v in u8.reshape(-1, 3).mean(axis=0)],
            "patch_rgb_16x16": np.round(patch).astype(int).tolist(),
        })
    for p in ["", "a red circle", "a blue square", "a green triangle", "red",
              "a photo of a yellow triangle"]:
        ids = tokenize(p, vocab, merges)
        v = np.zeros(HIDDEN)
        for w in CONCEPT_WORDS:
            v[CONCEPT_WORDS.index(w)] = ids.count(vocab[w + "</w>"])
        logits = v @ M
        w_ = np.exp(logits - logits.max())
        w_ /= w_.sum()
        out["example_prompts"][p] = {
            "input_ids": ids[:ids.index(vocab["<|endoftext|>"]) + 1],
            "mixture_weights": [round(float(x), 6) for x in w_],
        }
    return out


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--out", default=os.path.normpath(os.path.join(here, "..", "..", "models")))
    args = ap.parse_args()

    vocab, merges = build_tokenizer()
    assert len(vocab) < 2000
    for w in CONCEPT_WORDS + COMMON_WORDS:
        assert tokenize(w, vocab, merges)[1] == vocab[w + "</w>"], w

    for name, (ftype, ids_type, ts_kind, lcm, external) in VARIANTS.items():
        root = os.path.join(args.out, name)
        dtype = "float16" if ftype == F16 else "float32"
        write(os.path.join(root, "model_index.json"), dumps(model_index(lcm)))
        write(os.path.join(root, "scheduler", "scheduler_config.json"), dumps(scheduler_config(lcm)))
        for fname, text in tokenizer_files(vocab, merges).items():
            write(os.path.join(root, "tokenizer", fname), text)
        write(os.path.join(root, "text_encoder", "config.json"), dumps(text_encoder_config(vocab, dtype)))
        write(os.path.join(root, "unet", "config.json"), dumps(unet_config(lcm)))
        write(os.path.join(root, "vae_decoder", "config.json"), dumps(vae_config()))
        save_model(text_encoder_model(vocab, ftype, ids_type), os.path.join(root, "text_encoder", "model.onnx"))
        save_model(unet_model(vocab, ftype, ts_kind, lcm), os.path.join(root, "unet", "model.onnx"), external)
        save_model(vae_decoder_model(ftype), os.path.join(root, "vae_decoder", "model.onnx"))
        print("wrote", root)

    for name, turbo in (("tiny-sdxl", False), ("tiny-sdxl-turbo", True)):
        write_sdxl(os.path.join(args.out, name), vocab, merges, turbo)
        print("wrote", os.path.join(args.out, name))

    ans = answers(vocab, merges)
    root = os.path.join(args.out, "tiny-sd")
    write(os.path.join(root, "answers.json"), dumps(ans))
    mu = mixture_means()
    for k, c in enumerate(ans["components"]):
        dec = decode_np(mu[k:k + 1] / SCALING)[0]
        write(os.path.join(root, c["picture"]), png_bytes(to_uint8(dec)))
    print("wrote", os.path.join(root, "answers.json"))


if __name__ == "__main__":
    main()
