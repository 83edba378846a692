"""Small FID and KID references for core's MetricsConformanceTest (bundled, so a clone without
../shared still checks the formulas), made with the reference generator of shared/reference/metrics.

Run with Debian's python (numpy, scipy):
    /usr/bin/python3 tools/metrics/make_metric_references.py ../shared/reference/metrics \
        core/src/test/resources/conformance/metrics

The first argument is the folder holding metricsref.py (its functions make the features and the
expected values); cases are written in its format (README there), with small sizes:
  fid_small_d8_s5        500 and 400 rows would do; 120 and 100 keep it small
  fid_rank_deficient_s5  fewer rows than dimensions (singular covariances, scipy's sqrtm still finite)
  fid_offset_s5          a feature constant in the first set only and another constant in the
                         second set only: scipy's sqrtm fails and pytorch-fid adds its 1e-6 offset
  kid_equal_s5, kid_unequal_s5
and, for NpzStatisticsTest, fid_small_d8_s5.stats1.compressed.npz: the same statistics written by
np.savez_compressed with a float32 mu, as clean-fid's published statistics files are.
"""
import importlib.util
import os
import sys

import numpy as np


def load_reference(folder):
    spec = importlib.util.spec_from_file_location("metricsref", os.path.join(folder, "metricsref.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fid_case(ref, out, name, a, b):
    mu1, s1 = ref.stats(a)
    mu2, s2 = ref.stats(b)
    f, off = ref.fid(mu1, s1, mu2, s2)
    d = a.shape[1]
    meta = dict(kind="fid", n1=a.shape[0], n2=b.shape[0], dim=d, fid=f, offset_used=off,
                mu1=mu1.tolist(), mu2=mu2.tolist())
    if not off:
        meta["fid_eig"] = ref.fid_eig(mu1, s1, mu2, s2)
    ref.write_case(out, name, {"features1": a, "features2": b, "mu1": mu1, "sigma1": s1, "mu2": mu2,
                               "sigma2": s2}, meta)
    np.savez(os.path.join(out, f"{name}.stats1.npz"), mu=mu1, sigma=s1)
    np.savez(os.path.join(out, f"{name}.stats2.npz"), mu=mu2, sigma=s2)
    return off


def main():
    ref = load_reference(sys.argv[1])
    out = sys.argv[2]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(5)
    f = ref.features
    small = f(rng, 120, 8, 0.2, 1.0)
    fid_case(ref, out, "fid_small_d8_s5", small, f(rng, 100, 8, 0.35, 1.2))
    mu, sigma = ref.stats(small)
    np.savez_compressed(os.path.join(out, "fid_small_d8_s5.stats1.compressed.npz"),
                        mu=mu.astype(np.float32), sigma=sigma)
    fid_case(ref, out, "fid_rank_deficient_s5", f(rng, 9, 12, 0.2, 1.0), f(rng, 11, 12, 0.35, 1.2))
    a = f(rng, 40, 10, 0.2, 1.0)
    b = f(rng, 50, 10, 0.35, 1.2)
    a[:, 2] = 0.0  # a dead feature in the first set only
    b[:, 7] = 0.0  # and another in the second set only
    assert fid_case(ref, out, "fid_offset_s5", a, b), "scipy's sqrtm was expected to fail here"
    ref.kid_case(out, "kid_equal_s5", rng, 60, 60, 16)
    ref.kid_case(out, "kid_unequal_s5", rng, 50, 40, 12)


if __name__ == "__main__":
    main()
