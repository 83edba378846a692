#!/usr/bin/python3
"""Self-check of the tiny models in models/ (no onnxruntime needed).

    /usr/bin/python3 tools/tiny_models/check_tiny_models.py [--models models] [--images /tmp/tiny-check]

- onnx.checker on every graph; declared input/output names, dtypes and shapes;
- the generator is deterministic (regenerates into a temp folder and compares bytes);
- each UNet graph, run by the small numpy ONNX interpreter below, matches an independent float64
  implementation of the mixture's epsilon (integer and fractional timesteps, CFG batch, LCM);
- full sampling runs through the ONNX graphs (tokenizer -> text_encoder -> DDIM/Euler with CFG or
  LCM -> vae_decoder) give the prompt's picture, with all variants agreeing; PNGs go to --images.
"""
import argparse
import filecmp
import hashlib
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_tiny_models as tm  # noqa: E402

# ----------------------------------------------------------------------------------------------
# A minimal ONNX interpreter for the ops the tiny graphs use
# ----------------------------------------------------------------------------------------------
NP_TYPES = {1: np.float32, 10: np.float16, 7: np.int64, 6: np.int32, 9: np.bool_, 11: np.float64}


def attrs_of(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def conv_transpose(x, w, b, at):
    k, s = at["kernel_shape"], at["strides"]
    assert list(k) == list(s) and not at.get("pads") and at.get("group", 1) == 1
    bsz, cin, h, wd = x.shape
    out = np.einsum("bcij,copq->boipjq", x, w).reshape(bsz, w.shape[1], h * k[0], wd * k[1])
    return (out + b[None, :, None, None]).astype(x.dtype)


class Runner:
    def __init__(self, path):
        self.model_path = path
        self.model = onnx.load(path)  # loads external data from beside the file
        g = self.model.graph
        self.inits = {t.name: numpy_helper.to_array(t) for t in g.initializer}

    def __call__(self, **feeds):
        env = dict(self.inits)
        for vi in self.model.graph.input:
            want = NP_TYPES[vi.type.tensor_type.elem_type]
            v = np.asarray(feeds[vi.name])
            assert v.dtype == want, (vi.name, v.dtype, want)
            dims = [d.dim_value if d.HasField("dim_value") else None
                    for d in vi.type.tensor_type.shape.dim]
            assert v.ndim == len(dims) and all(d is None or d == n for d, n in zip(dims, v.shape)), \
                (vi.name, v.shape, dims)
            env[vi.name] = v
        for node in self.model.graph.node:
            i = [env[n] if n else None for n in node.input]
            at = attrs_of(node)
            op = node.op_type
            if op == "Constant":
                r = numpy_helper.to_array(at["value"])
            elif op == "Identity":
                r = i[0]
            elif op == "Cast":
                r = i[0].astype(NP_TYPES[at["to"]])
            elif op == "Gather":
                r = np.take(i[0], i[1].astype(np.int64), axis=at.get("axis", 0))
            elif op == "ReduceSum":
                r = i[0].sum(axis=tuple(i[1].tolist()), keepdims=bool(at.get("keepdims", 1)))
                r = r.astype(i[0].dtype)
            elif op == "Reshape":
                r = i[0].reshape(i[1].tolist())
            elif op == "Unsqueeze":
                r = np.expand_dims(i[0], tuple(i[1].tolist()))
            elif op == "ConvTranspose":
                r = conv_transpose(i[0], i[1], i[2], at)
            elif op == "Clip":
                r = np.clip(i[0], i[1], i[2])
            elif op in ("Add", "Sub", "Mul", "Div", "Min", "Less", "MatMul"):
                f = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide,
                     "Min": np.minimum, "Less": np.less, "MatMul": np.matmul}[op]
                with np.errstate(divide="ignore"):
                    r = f(i[0], i[1])
            elif op in ("Floor", "Sqrt", "Reciprocal", "Log", "Neg", "Abs", "Atan", "Exp"):
                f = {"Floor": np.floor, "Sqrt": np.sqrt, "Reciprocal": np.reciprocal,
                     "Log": np.log, "Neg": np.negative, "Abs": np.abs, "Atan": np.arctan,
                     "Exp": np.exp}[op]
                r = f(i[0])
            elif op == "Softmax":
                r = softmax(i[0], at.get("axis", -1))
            elif op == "LogSoftmax":
                x = i[0]
                ax = at.get("axis", -1)
                m = x.max(axis=ax, keepdims=True)
                r = x - m - np.log(np.exp(x - m).sum(axis=ax, keepdims=True))
            elif op == "Where":
                r = np.where(i[0], i[1], i[2])
            else:
                raise NotImplementedError(op)
            r = np.asarray(r)
            if r.dtype == np.float64:
                r = r.astype(np.float32)
            env[node.output[0]] = r
        return {o.name: env[o.name] for o in self.model.graph.output}


def signature(path):
    m = onnx.load(path, load_external_data=False)
    def sig(vis):
        out = []
        for vi in vis:
            tt = vi.type.tensor_type
            dims = [d.dim_param if d.HasField("dim_param") else d.dim_value for d in tt.shape.dim]
            out.append((vi.name, onnx.TensorProto.DataType.Name(tt.elem_type).lower(), dims))
        return out
    return sig(m.graph.input), sig(m.graph.output)


# ----------------------------------------------------------------------------------------------
# Independent float64 reference of the analytic model
# ----------------------------------------------------------------------------------------------
AC = tm.alphas_cumprod().astype(np.float64)
SIG = tm.k_sigmas().astype(np.float64)


def ref_eps(x, t, weights, mu, std=tm.STD):
    """x [B, DIM]; t float per row; weights [B, K] -> eps [B, DIM] (float64)."""
    out = []
    for b in range(x.shape[0]):
        sig = np.interp(t[b], np.arange(1000), SIG)
        abar = 1.0 / (1.0 + sig * sig)
        a, s = math.sqrt(abar), math.sqrt(1.0 - abar)
        var = a * a * std * std + s * s
        d = ((x[b][None, :] - a * mu) ** 2).sum(axis=1)
        logp = np.log(weights[b]) - x.shape[1] / 2 * np.log(2 * np.pi * var) - d / (2 * var)
        r = softmax(logp, 0)
        score = (r[:, None] * (a * mu - x[b][None, :]) / var).sum(axis=0)
        out.append(-s * score)
    return np.array(out)


def ref_weights(ids, vocab):
    comps = tm.components()
    w = np.zeros((len(ids), len(comps)))
    for b, row in enumerate(ids):
        logit = np.zeros(len(comps))
        for k, (_, colour, shape, _) in enumerate(comps):
            for word in (colour, shape):
                logit[k] += tm.BETA * list(row).count(vocab[word + "</w>"])
        w[b] = softmax(logit, 0)
    return w


def guidance_embedding(g, d=tm.GUIDANCE_DIM):
    w = (g - 1.0) * 1000.0
    half = d // 2
    f = np.exp(-math.log(10000.0) * np.arange(half, dtype=np.float32) / (half - 1)).astype(np.float32)
    e = np.float32(w) * f
    return np.concatenate([np.sin(e), np.cos(e)]).astype(np.float32)


# ----------------------------------------------------------------------------------------------
# Pipeline through the graphs
# ----------------------------------------------------------------------------------------------
class Pipe:
    def __init__(self, root):
        self.root = root
        self.te = Runner(os.path.join(root, "text_encoder", "model.onnx"))
        self.unet = Runner(os.path.join(root, "unet", "model.onnx"))
        self.vae = Runner(os.path.join(root, "vae_decoder", "model.onnx"))
        self.vocab = json.load(open(os.path.join(root, "tokenizer", "vocab.json"), encoding="utf-8"))
        lines = open(os.path.join(root, "tokenizer", "merges.txt"), encoding="utf-8").read().split("\n")
        assert lines[0] == "#version: 0.2"
        self.merges = [tuple(l.split()) for l in lines[1:] if l]
        self.ftype = self.dtype_of(self.unet, "sample")

    @staticmethod
    def dtype_of(runner, name):
        vi = [v for v in runner.model.graph.input if v.name == name][0]
        return NP_TYPES[vi.type.tensor_type.elem_type]

    def encode(self, prompts):
        ids = np.array([tm.tokenize(p, self.vocab, self.merges) for p in prompts])
        ids = ids.astype(self.dtype_of(self.te, "input_ids"))
        return ids, self.te(input_ids=ids)["last_hidden_state"]

    def eps(self, x, t, ehs, tcond=None):
        feeds = {"sample": x.astype(self.ftype), "encoder_hidden_states": ehs}
        ts_vi = [v for v in self.unet.model.graph.input if v.name == "timestep"][0]
        if ts_vi.type.tensor_type.shape.dim:   # legacy: int64 [B]
            assert float(t) == int(t)
            feeds["timestep"] = np.full(x.shape[0], int(t), dtype=np.int64)
        else:
            feeds["timestep"] = np.array(t, dtype=self.ftype)
        if tcond is not None:
            feeds["timestep_cond"] = tcond.astype(self.ftype)
        return self.unet(**feeds)["out_sample"].astype(np.float32)

    def decode(self, latents):
        img = self.vae(latent_sample=(latents / tm.SCALING).astype(self.ftype))["sample"]
        return img.astype(np.float32)


def cfg_eps(pipe, x, t, ehs, g):
    e = pipe.eps(np.concatenate([x, x]), t, ehs)
    eu, ec = e[:1], e[1:]
    return eu + g * (ec - eu)


def run_ddim(pipe, prompt, seed, steps=25, g=7.5):
    _, ehs = pipe.encode(["", prompt])
    x = np.random.default_rng(seed).standard_normal((1, 4, tm.LATENT, tm.LATENT)).astype(np.float32)
    ratio = 1000 // steps
    ts = (np.arange(steps) * ratio)[::-1] + 1
    for t in ts:
        e = cfg_eps(pipe, x, float(t), ehs, g)
        a = AC[t]
        pt = t - ratio
        ap = AC[pt] if pt >= 0 else AC[0]
        x0 = (x - math.sqrt(1 - a) * e) / math.sqrt(a)
        x = (math.sqrt(ap) * x0 + math.sqrt(1 - ap) * e).astype(np.float32)
    return pipe.decode(x)


def run_pndm(pipe, prompt, seed, steps=25, g=7.5):
    """PNDMScheduler (the models' scheduler_config): skip_prk_steps, i.e. PLMS, leading spacing."""
    _, ehs = pipe.encode(["", prompt])
    x = np.random.default_rng(seed).standard_normal((1, 4, tm.LATENT, tm.LATENT)).astype(np.float32)
    ratio = 1000 // steps
    base = np.arange(steps) * ratio + 1
    ts = np.concatenate([base[:-1], base[-2:-1], base[-1:]])[::-1]
    ets, cur, counter = [], None, 0

    def prev_sample(sample, t, tp, e):
        a, ap = AC[t], (AC[tp] if tp >= 0 else AC[0])
        denom = a * math.sqrt(1 - ap) + math.sqrt(a * (1 - a) * ap)
        return math.sqrt(ap / a) * sample - (ap - a) * e / denom

    for t in ts:
        e = cfg_eps(pipe, x, float(t), ehs, g)
        tp = t - ratio
        if counter != 1:
            ets = ets[-3:]
            ets.append(e)
        else:
            tp, t = t, t + ratio
        if len(ets) == 1 and counter == 0:
            cur = x
        elif len(ets) == 1 and counter == 1:
            e = (e + ets[-1]) / 2
            x, cur = cur, None
        elif len(ets) == 2:
            e = (3 * ets[-1] - ets[-2]) / 2
        elif len(ets) == 3:
            e = (23 * ets[-1] - 16 * ets[-2] + 5 * ets[-3]) / 12
        else:
            e = (55 * ets[-1] - 59 * ets[-2] + 37 * ets[-3] - 9 * ets[-4]) / 24
        x = prev_sample(x, t, tp, e).astype(np.float32)
        counter += 1
    return pipe.decode(x)


def run_euler(pipe, prompt, seed, steps=20, g=7.5):
    """EulerDiscreteScheduler with linspace spacing: fractional timesteps like 946.42."""
    _, ehs = pipe.encode(["", prompt])
    ts = np.linspace(0, 999, steps, dtype=np.float32)[::-1].copy()
    sig = np.interp(ts, np.arange(1000), SIG).astype(np.float32)
    sig = np.concatenate([sig, [0.0]]).astype(np.float32)
    x = np.random.default_rng(seed).standard_normal((1, 4, tm.LATENT, tm.LATENT)).astype(np.float32)
    x = x * sig[0]
    for i, t in enumerate(ts):
        xin = x / math.sqrt(sig[i] ** 2 + 1)
        e = cfg_eps(pipe, xin, float(t), ehs, g)
        x0 = x - sig[i] * e
        x = (x + (x - x0) / sig[i] * (sig[i + 1] - sig[i])).astype(np.float32)
    return pipe.decode(x)


def run_lcm(pipe, prompt, seed, steps=4, g=8.0):
    _, ehs = pipe.encode([prompt])
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((1, 4, tm.LATENT, tm.LATENT)).astype(np.float32)
    k = 1000 // 50
    origin = (np.arange(1, 51) * k - 1)[::-1]
    ts = origin[np.floor(np.linspace(0, len(origin), steps, endpoint=False)).astype(int)]
    tcond = guidance_embedding(g)[None]
    denoised = None
    for i, t in enumerate(ts):
        e = pipe.eps(x, float(t), ehs, tcond)
        a = AC[t]
        x0 = (x - math.sqrt(1 - a) * e) / math.sqrt(a)
        st = 10.0 * t
        c_skip = 0.25 / (st ** 2 + 0.25)
        c_out = st / math.sqrt(st ** 2 + 0.25)
        denoised = c_out * x0 + c_skip * x
        if i + 1 < len(ts):
            ap = AC[ts[i + 1]]
            z = rng.standard_normal(x.shape).astype(np.float32)
            x = (math.sqrt(ap) * denoised + math.sqrt(1 - ap) * z).astype(np.float32)
    return pipe.decode(denoised.astype(np.float32))


def closest(img_u8, answers):
    patch = img_u8.reshape(tm.LATENT, tm.PATCH, tm.LATENT, tm.PATCH, 3).mean(axis=(1, 3))
    d = [np.abs(patch - np.array(c["patch_rgb_16x16"])).mean() for c in answers["components"]]
    k = int(np.argmin(d))
    return answers["components"][k]["name"], d[k]


# ----------------------------------------------------------------------------------------------
EXPECTED = {
    "tiny-sd": dict(ids="int64", f="float", ts=("float", []), lcm=False),
    "tiny-sd-fp16": dict(ids="int64", f="float16", ts=("float16", []), lcm=False),
    "tiny-sd-legacy": dict(ids="int32", f="float", ts=("int64", ["batch"]), lcm=False),
    "tiny-lcm": dict(ids="int64", f="float", ts=("float", []), lcm=True),
}


def check_signatures(models):
    L, C, S, D = tm.LATENT, tm.CHANNELS, tm.SEQ, tm.HIDDEN
    for name, e in EXPECTED.items():
        root = os.path.join(models, name)
        f = e["f"]
        want = {
            "text_encoder": ([("input_ids", e["ids"], ["batch", S])],
                             [("last_hidden_state", f, ["batch", S, D]), ("pooler_output", f, ["batch", D])]),
            "unet": ([("sample", f, ["batch", C, L, L]), ("timestep",) + e["ts"],
                      ("encoder_hidden_states", f, ["batch", S, D])]
                     + ([("timestep_cond", f, ["batch", tm.GUIDANCE_DIM])] if e["lcm"] else []),
                     [("out_sample", f, ["batch", C, L, L])]),
            "vae_decoder": ([("latent_sample", f, ["batch", C, L, L])],
                            [("sample", f, ["batch", 3, tm.IMAGE, tm.IMAGE])]),
        }
        for part, (wi, wo) in want.items():
            path = os.path.join(root, part, "model.onnx")
            onnx.checker.check_model(path)
            gi, go = signature(path)
            gi = [(n, t, d) for n, t, d in gi]
            assert gi == [tuple(x) for x in wi], (name, part, gi)
            assert go == [tuple(x) for x in wo], (name, part, go)
            m = onnx.load(path, load_external_data=False)
            assert m.opset_import[0].version <= 17
            inits = [t for t in m.graph.initializer]
            if name == "tiny-sd-legacy" and part == "unet":
                assert all(t.data_location == onnx.TensorProto.EXTERNAL for t in inits)
                assert os.path.exists(os.path.join(root, part, "model.onnx_data"))
            if name == "tiny-sd-fp16":
                big = [t for t in inits if np.prod(t.dims) > 1 and t.data_type in (1, 10)]
                assert all(t.data_type == 10 for t in big), [t.name for t in big if t.data_type != 10]
            print(f"  {name}/{part}: in {gi} out {go}")
        unet_cfg = json.load(open(os.path.join(root, "unet", "config.json")))
        assert unet_cfg["time_cond_proj_dim"] == (256 if e["lcm"] else None)
        assert unet_cfg["sample_size"] == L and unet_cfg["in_channels"] == C
        sched = json.load(open(os.path.join(root, "scheduler", "scheduler_config.json")))
        assert sched["_class_name"] == ("LCMScheduler" if e["lcm"] else "PNDMScheduler")


def check_determinism(models):
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.check_call([sys.executable, os.path.join(HERE, "make_tiny_models.py"),
                               "--out", tmp], stdout=subprocess.DEVNULL)
        n = 0
        for dirpath, _, files in os.walk(tmp):
            for fn in files:
                a = os.path.join(dirpath, fn)
                b = os.path.join(models, os.path.relpath(a, tmp))
                assert os.path.exists(b) and filecmp.cmp(a, b, shallow=False), f"differs: {b}"
                n += 1
        print(f"  regenerated {n} files: identical to {models}")


def check_tokenizer(pipe):
    v, m = pipe.vocab, pipe.merges
    inv = {i: t for t, i in v.items()}
    assert v["<|startoftext|>"] == len(v) - 2 and v["<|endoftext|>"] == len(v) - 1
    for p in ["a red circle", "A photo of a BLUE square!", "zebra-striped octagon 42", ""]:
        ids = tm.tokenize(p, v, m)
        assert len(ids) == 77
        print(f"  {p!r}: {[inv[i] for i in ids[:ids.index(v['<|endoftext|>']) + 1]]}")


def check_unet_math(pipe, lcm):
    rng = np.random.default_rng(1)
    mu = tm.mixture_means().astype(np.float64)
    ids, ehs = pipe.encode(["", "a red circle", "blue", "a photo of a green triangle"])
    w = ref_weights(ids, pipe.vocab)
    tol = 2e-2 if pipe.ftype == np.float16 else 2e-4
    for t in [999.0, 981.0, 500.0, 123.0, 1.0, 0.0, 964.55, 10.5, 0.25]:
        legacy = pipe.dtype_of(pipe.unet, "timestep") == np.int64
        if legacy and t != int(t):
            continue
        abar = 1 / (1 + np.interp(t, np.arange(1000), SIG) ** 2)
        # half of the rows near a picture, half pure noise
        k = rng.integers(0, mu.shape[0], 4)
        x = math.sqrt(abar) * (mu[k] + tm.STD * rng.standard_normal(mu[k].shape)) + \
            math.sqrt(1 - abar) * rng.standard_normal(mu[k].shape)
        x[2:] = rng.standard_normal(x[2:].shape) * (1.0 if t < 900 else 1 / math.sqrt(abar))
        x = x.astype(pipe.ftype).astype(np.float32)
        if lcm:
            gs = np.array([8.0, 1.0, 3.5, -2.0])
            tcond = np.stack([guidance_embedding(g) for g in gs])
            got = pipe.eps(x.reshape(4, 4, 16, 16), t, ehs, tcond).reshape(4, -1)
            eu = ref_eps(x.astype(np.float64), [t] * 4, np.full_like(w, 1 / w.shape[1]), mu)
            ec = ref_eps(x.astype(np.float64), [t] * 4, w, mu)
            want = eu + gs[:, None] * (ec - eu)
        else:
            got = pipe.eps(x.reshape(4, 4, 16, 16), t, ehs).reshape(4, -1)
            want = ref_eps(x.astype(np.float64), [t] * 4, w, mu)
        err = np.abs(got - want).max() / max(1.0, np.abs(want).max())
        assert err < tol, (pipe.root, t, err)
    # fp16 keeps float16 rounding of inputs/outputs; the rest is float32
    print(f"  {os.path.basename(pipe.root)}: unet graph == float64 reference (rel err < {tol})")


def check_guidance_statistics(pipe, answers):
    """CFG sharpens toward the prompt's component; a colour word alone spreads over its shapes;
    the empty prompt spreads over all pictures."""
    def names(prompt, g):
        return [closest(tm.to_uint8(run_ddim(pipe, prompt, 100 + s, steps=10, g=g)[0]), answers)[0]
                for s in range(24)]
    hit1 = names("a red circle", 1.0).count("red circle")
    hit75 = names("a red circle", 7.5).count("red circle")
    red = names("red", 7.5)
    empty = names("", 1.0)
    print(f"  'a red circle': {hit1}/24 red circles without CFG, {hit75}/24 with CFG 7.5")
    print(f"  'red' with CFG 7.5: {sorted(set(red))}")
    print(f"  '' without CFG: {len(set(empty))} different pictures")
    assert hit75 == 24 and hit75 >= hit1
    assert all(n.startswith("red ") for n in red) and len(set(red)) >= 2
    assert len(set(empty)) >= 5


def dump_ort_cases(pipes, out):
    """Writes inputs and expected outputs for OrtCheck.java (real ONNX Runtime) to `out`:
    one folder per case with case.txt (model path; 'in'/'out' NAME DTYPE DIMS...) and NAME.bin
    (raw little-endian)."""
    rng = np.random.default_rng(7)
    n = 0

    def case(model, feeds, outs):
        nonlocal n
        d = os.path.join(out, f"case{n:03d}")
        n += 1
        os.makedirs(d, exist_ok=True)
        lines = [os.path.abspath(model)]
        for kind, tensors in (("in", feeds), ("out", outs)):
            for name, arr in tensors.items():
                arr = np.array(arr, order="C")
                lines.append(" ".join([kind, name, arr.dtype.name] + [str(x) for x in arr.shape]))
                arr.astype(arr.dtype.newbyteorder("<")).tofile(os.path.join(d, name + ".bin"))
        tm.write(os.path.join(d, "case.txt"), "\n".join(lines) + "\n")

    for name, p in pipes.items():
        ids, _ = p.encode(["", "a red circle"])
        case(p.te.model_path, {"input_ids": ids}, p.te(input_ids=ids))
        _, ehs = p.encode(["", "a photo of a blue square"])
        legacy = p.dtype_of(p.unet, "timestep") == np.int64
        for t in [999, 500, 1, 0] + ([] if legacy else [964.55, 10.5]):
            x = (rng.standard_normal((2, 4, 16, 16)) * (3 if t > 900 else 1)).astype(p.ftype)
            feeds = {"sample": x, "encoder_hidden_states": ehs}
            feeds["timestep"] = np.full(2, t, np.int64) if legacy else np.array(t, p.ftype)
            if name == "tiny-lcm":
                feeds["timestep_cond"] = np.stack([guidance_embedding(8.0), guidance_embedding(1.5)])
            case(p.unet.model_path, feeds, p.unet(**feeds))
        z = (tm.mixture_means()[3].reshape(1, 4, 16, 16) / tm.SCALING).astype(p.ftype)
        case(p.vae.model_path, {"latent_sample": z}, p.vae(latent_sample=z))
    print(f"  wrote {n} cases to {out}")


# ----------------------------------------------------------------------------------------------
# tiny-sdxl
# ----------------------------------------------------------------------------------------------
SDXL_IDS = [128.0, 128.0, 0.0, 0.0, 128.0, 128.0]


class SdxlPipe(Pipe):
    def __init__(self, root):
        super().__init__(root)
        self.te2 = Runner(os.path.join(root, "text_encoder_2", "model.onnx"))

    def encode(self, prompts):
        """SDXL's encode_prompt: both encoders' hidden_states.1, concatenated; text_encoder_2's text_embeds.
        tokenizer_2 pads with "!" (id 0)."""
        ids = np.array([tm.tokenize(p, self.vocab, self.merges) for p in prompts])
        eos = self.vocab["<|endoftext|>"]
        ids2 = ids.copy()
        for row in ids2:
            end = list(row).index(eos)
            row[end + 1:] = self.vocab["!"]
        o1, o2 = self.te(input_ids=ids), self.te2(input_ids=ids2)
        return ids, np.concatenate([o1["hidden_states.1"], o2["hidden_states.1"]], -1), o2["text_embeds"]

    def xl_eps(self, x, t, ehs, pooled, time_ids):
        return self.unet(sample=x.astype(np.float32), timestep=np.array(t, np.float32), encoder_hidden_states=ehs,
                         text_embeds=pooled, time_ids=time_ids)["out_sample"]

    def decode(self, latents):
        return self.vae(latent_sample=(latents / tm.SDXL_SCALING).astype(np.float32))["sample"]


def sdxl_ref_logits(ids, pooled, time_ids, vocab):
    """float64: colour counts of the prompt (text_encoder) x beta, shape counts of text_encoder_2 times
    text_embeds' x beta, and the size bonus when time_ids are not the image's size."""
    comps = tm.components()
    out = np.zeros((len(ids), len(comps)))
    for b, row in enumerate(ids):
        row = list(row)
        for k, (_, colour, shape, _) in enumerate(comps):
            c = row.count(vocab[colour + "</w>"])
            s2 = row.count(vocab[shape + "</w>"]) + (tm.EOS_TRIANGLE if shape == "triangle" else 0.0)
            out[b, k] = tm.BETA * (c + s2 * pooled[b][tm.CONCEPT_WORDS.index(shape)])
        off = min(1.0, float(np.abs(np.array(time_ids[b]) - SDXL_IDS).sum()))
        out[b, tm.SIZE_BONUS_COMPONENT] += tm.SIZE_BONUS * off
    return out


def check_sdxl(models, answers):
    for name, sched in (("tiny-sdxl", "EulerDiscreteScheduler"), ("tiny-sdxl-turbo", "EulerAncestralDiscreteScheduler")):
        root = os.path.join(models, name)
        S, D, L, C = tm.SEQ, tm.HIDDEN, tm.LATENT, tm.CHANNELS
        hs = [(f"hidden_states.{i}", "float", ["batch", S, D]) for i in range(3)]
        want = {
            "text_encoder": ([("input_ids", "int64", ["batch", S])],
                             [("last_hidden_state", "float", ["batch", S, D]), ("pooler_output", "float", ["batch", D])] + hs),
            "text_encoder_2": ([("input_ids", "int64", ["batch", S])],
                               [("text_embeds", "float", ["batch", D]), ("last_hidden_state", "float", ["batch", S, D])] + hs),
            "unet": ([("sample", "float", ["batch", C, L, L]), ("timestep", "float", []),
                      ("encoder_hidden_states", "float", ["batch", S, 2 * D]), ("text_embeds", "float", ["batch", D]),
                      ("time_ids", "float", ["batch", 6])], [("out_sample", "float", ["batch", C, L, L])]),
            "vae_decoder": ([("latent_sample", "float", ["batch", C, L, L])],
                            [("sample", "float", ["batch", 3, tm.IMAGE, tm.IMAGE])]),
        }
        for part, (wi, wo) in want.items():
            gi, go = signature(os.path.join(root, part, "model.onnx"))
            assert gi == [tuple(x) for x in wi], (name, part, gi)
            assert go == [tuple(x) for x in wo], (name, part, go)
        assert json.load(open(os.path.join(root, "scheduler", "scheduler_config.json")))["_class_name"] == sched
        assert json.load(open(os.path.join(root, "tokenizer_2", "tokenizer_config.json")))["pad_token"] == "!"
        print(f"  {name}: signatures, scheduler {sched}, tokenizer_2 pads with '!'")
    pipe = SdxlPipe(os.path.join(models, "tiny-sdxl"))
    mu = tm.mixture_means().astype(np.float64)
    prompts = ["", "a red circle", "blue", "a photo of a green triangle"]
    ids, ehs, pooled = pipe.encode(prompts)
    time_ids = np.array([SDXL_IDS, SDXL_IDS, [64.0, 64.0, 0, 0, 128, 128], SDXL_IDS], np.float32)
    logits = sdxl_ref_logits(ids, pooled, time_ids, pipe.vocab)
    w = np.exp(logits - logits.max(1, keepdims=True))
    w /= w.sum(1, keepdims=True)
    rng = np.random.default_rng(3)
    for t in [999.0, 500.0, 1.0, 964.55]:
        x = rng.standard_normal((4, 4 * 16 * 16)).astype(np.float32)
        got = pipe.xl_eps(x.reshape(4, 4, 16, 16), t, ehs, pooled, time_ids).reshape(4, -1)
        want = ref_eps(x.astype(np.float64), [t] * 4, w, mu)
        err = np.abs(got - want).max() / max(1.0, np.abs(want).max())
        assert err < 2e-4, (t, err)
    print("  tiny-sdxl: unet graph == float64 reference (rel err < 2e-4)")
    # Euler (SDXL base's "leading" spacing), 20 steps, guidance 5 against zero negative embeddings
    steps, g = 20, 5.0
    ts = (np.arange(steps) * (1000 // steps))[::-1] + 1
    sig = np.concatenate([np.interp(ts, np.arange(1000), SIG), [0.0]])
    for prompt, seed in (("a red circle", 0), ("a blue square", 1)):
        _, e, p = pipe.encode([prompt])
        ehs2, pooled2 = np.concatenate([np.zeros_like(e), e]), np.concatenate([np.zeros_like(p), p])
        tid = np.array([SDXL_IDS, SDXL_IDS], np.float32)
        x = np.random.default_rng(seed).standard_normal((1, 4, 16, 16)) * math.sqrt(sig[0] ** 2 + 1)
        for i, t in enumerate(ts):
            xin = (x / math.sqrt(sig[i] ** 2 + 1)).astype(np.float32)
            eps = pipe.xl_eps(np.concatenate([xin, xin]), float(t), ehs2, pooled2, tid)
            eps = eps[:1] + g * (eps[1:] - eps[:1])
            x = x + (sig[i + 1] - sig[i]) * eps
        got, dist = closest(tm.to_uint8(pipe.decode(x.astype(np.float32))[0]), answers)
        print(f"  tiny-sdxl euler 20 steps, guidance 5, {prompt!r} seed {seed}: closest {got!r} ({dist:.1f}/255)")
        assert prompt.endswith(got)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default=os.path.normpath(os.path.join(HERE, "..", "..", "models")))
    ap.add_argument("--images", default=os.path.join(tempfile.gettempdir(), "tiny-check"))
    ap.add_argument("--quick", action="store_true", help="skip the regeneration check")
    ap.add_argument("--ort-cases", help="also write test cases for OrtCheck.java to this folder")
    args = ap.parse_args()
    os.makedirs(args.images, exist_ok=True)
    answers = json.load(open(os.path.join(args.models, "tiny-sd", "answers.json")))

    print("signatures:")
    check_signatures(args.models)
    if not args.quick:
        print("determinism:")
        check_determinism(args.models)
    pipes = {n: Pipe(os.path.join(args.models, n)) for n in EXPECTED}
    if args.ort_cases:
        print("onnxruntime cases:")
        dump_ort_cases(pipes, args.ort_cases)
    print("tokenizer:")
    check_tokenizer(pipes["tiny-sd"])
    print("unet math:")
    for n, p in pipes.items():
        check_unet_math(p, n == "tiny-lcm")

    print("sampling:")
    results = {}
    runs = [("tiny-sd", "pndm", "a red circle", 5), ("tiny-sd", "pndm", "a green square", 6),
            ("tiny-sd", "ddim", "a red circle", 0), ("tiny-sd", "ddim", "a blue square", 1),
            ("tiny-sd", "ddim", "a green triangle", 2), ("tiny-sd", "euler", "a red circle", 3),
            ("tiny-sd", "euler", "a photo of a yellow triangle", 4),
            ("tiny-sd-fp16", "ddim", "a red circle", 0), ("tiny-sd-fp16", "ddim", "a blue square", 1),
            ("tiny-sd-legacy", "ddim", "a red circle", 0), ("tiny-sd-legacy", "ddim", "a blue square", 1),
            ("tiny-sd-fp16", "euler", "a red circle", 3),
            ("tiny-lcm", "lcm", "a red circle", 0), ("tiny-lcm", "lcm", "a blue square", 1),
            ("tiny-lcm", "lcm", "a green triangle", 2)]
    for name, sampler, prompt, seed in runs:
        fn = {"ddim": run_ddim, "euler": run_euler, "lcm": run_lcm, "pndm": run_pndm}[sampler]
        img = tm.to_uint8(fn(pipes[name], prompt, seed)[0])
        got, dist = closest(img, answers)
        fname = os.path.join(args.images, f"{name}-{sampler}-{prompt.replace(' ', '_')}-{seed}.png")
        tm.write(fname, tm.png_bytes(img))
        results[(name, sampler, prompt, seed)] = img
        ok = prompt.endswith(got)
        print(f"  {name:15s} {sampler:5s} {prompt!r:32s} seed {seed}: closest {got!r} "
              f"(mean abs diff {dist:.1f}/255) {'OK' if ok else 'WRONG'} -> {fname}")
        assert ok
    for (name, sampler, prompt, seed), img in results.items():
        ref = results.get(("tiny-sd", sampler, prompt, seed))
        if name in ("tiny-sd-fp16", "tiny-sd-legacy") and ref is not None:
            d = np.abs(img.astype(int) - ref.astype(int))
            print(f"  {name} vs tiny-sd ({sampler}, {prompt!r}): max pixel diff {d.max()}, mean {d.mean():.2f}")
            assert d.mean() < 2.0
    print("sdxl:")
    check_sdxl(args.models, answers)
    print("guidance statistics (DDIM 10 steps, 24 seeds each):")
    check_guidance_statistics(pipes["tiny-sd"], answers)
    print("all checks passed")


if __name__ == "__main__":
    main()
