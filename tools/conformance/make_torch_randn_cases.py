"""Writes torch CPU randn reference values for counts that are not multiples of 16 and for
successive draws from one generator (the shapes a sampler draws: initial latents, then noise).

Each case: `seed` for torch.Generator("cpu").manual_seed, and `draws`, the successive
torch.randn(shape, generator=g, dtype=torch.float32) calls on that one generator. Per draw:
`shape`, `sha256_float32_le` (SHA-256 of the float32 little-endian bytes), `values` (all, when at
most 512) or `first`/`last` 32. Same layout as shared/reference/rng/torch_cpu_randn.json, with
`draws` in place of one `shape`.

Run: /usr/bin/python3 tools/conformance/make_torch_randn_cases.py OUT_FILE   (Debian's torch 1.13)
OUT_FILE is core/src/test/resources/conformance/rng/torch_cpu_randn_sequences.json here.
"""
import hashlib
import json
import sys

import torch

CASES = {
    # one call each: counts above 16 that are not multiples of 16 (the last 16 are redrawn)
    "n17_seed0": (0, [[17]]),
    "n31_seed1": (1, [[31]]),
    "n33_seed2": (2, [[33]]),
    "n100_seed42": (42, [[100]]),
    "n255_seed7": (7, [[255]]),
    "n1000_seed123456789": (123456789, [[1000]]),
    "n4097_seed2pow40plus3": (2**40 + 3, [[4097]]),
    "n3x5x7_seed5": (5, [[3, 5, 7]]),
    # successive draws from one generator
    "latents_then_step_noise_seed11": (11, [[1, 4, 8, 8], [1, 4, 8, 8], [1, 4, 8, 8]]),
    "uneven_vector_draws_seed12": (12, [[20], [33], [17], [100]]),
    "scalar_cache_across_calls_seed13": (13, [[3], [3], [1], [5]]),
    "mixed_paths_seed14": (14, [[20], [7], [16], [3], [33], [1], [15], [17]]),
    "batch_rows_seed15": (15, [[2, 4, 3, 3], [2, 4, 3, 3]]),
}


def draw_record(shape, values):
    flat = values.flatten()
    rec = {"shape": shape,
           "sha256_float32_le": hashlib.sha256(flat.numpy().astype("<f4").tobytes()).hexdigest()}
    if flat.numel() <= 512:
        rec["values"] = flat.tolist()
    else:
        rec["first"] = flat[:32].tolist()
        rec["last"] = flat[-32:].tolist()
    return rec


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    cases = {}
    for name, (seed, shapes) in CASES.items():
        g = torch.Generator("cpu").manual_seed(seed)
        cases[name] = {"seed": seed,
                       "draws": [draw_record(s, torch.randn(s, generator=g, dtype=torch.float32)) for s in shapes]}
    with open(sys.argv[1], "w") as f:
        json.dump({"note": "torch " + torch.__version__ + " CPU randn; made by tools/conformance/make_torch_randn_cases.py",
                   "cases": cases}, f, indent=1)
    print(f"{sys.argv[1]}: {len(cases)} cases")


if __name__ == "__main__":
    main()
