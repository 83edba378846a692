"""Writes diffusers scheduler trajectories for "the model's own scheduler" conformance cases.

Each case is a model scheduler_config.json as a user's model ships it. The scheduler is built the
way a diffusers pipeline loads it, `<_class_name>.from_pretrained(model_dir, subfolder="scheduler")`
(load_config + from_config), with diffusers' own source (see diffusers_source.py), then driven
exactly as the trajectories in shared/reference/samplers/ (format: shared/reference/README.md):
the analytic "gmm1d" denoiser, classifier-free guidance, torch.Generator("cpu").manual_seed(seed)
for the initial latents and every noise draw inside step(). The file also keeps the model's config
as given (`model_scheduler_config`) so a test can check this project's default sampler for it.

Run (Debian's python3 with torch 1.13; a diffusers checkout's src/ folder):
    /usr/bin/python3 tools/conformance/make_sampler_cases.py DIFFUSERS_SRC OUT_DIR
OUT_DIR is core/src/test/resources/conformance/samplers in this repository.
"""
import json
import math
import os
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import diffusers_source  # noqa: E402

SHAPE = [1, 4, 8, 8]
GMM = {"kind": "gmm1d",
       "uncond": {"weights": [0.5, 0.5], "means": [-1.0, 1.0], "stds": [0.25, 0.25]},
       "cond": {"weights": [0.85, 0.15], "means": [-1.0, 1.0], "stds": [0.25, 0.25]}}

# Stable Diffusion's schedule keys, with the PNDM leftovers many community configs carry.
SD = {"num_train_timesteps": 1000, "beta_start": 0.00085, "beta_end": 0.012, "beta_schedule": "scaled_linear",
      "trained_betas": None, "steps_offset": 1, "clip_sample": False, "set_alpha_to_one": False,
      "skip_prk_steps": True, "prediction_type": "epsilon", "_diffusers_version": "0.27.0"}


def config(class_name, **keys):
    return {"_class_name": class_name, **SD, **keys}


DPM = "DPMSolverMultistepScheduler"
# No Euler case with use_karras_sigmas: its float timesteps come from _sigma_to_t, whose float32/float64
# mix depends on numpy's casting rules (numpy 1.x keeps w in float32, numpy 2 in float64; this project
# follows numpy 2), so a numpy 1.24 reference would differ in the last bits. DPM-Solver rounds them.
# Debian's torch 1.13 rounds float32 linspace differently from torch 2 (which this project follows) in
# the last bit of some betas, so its schedule differs by an ulp or two (sigma at t=999: 14.614645 vs
# 14.614647); the trajectories absorb that well within 1e-5.
# No Karras case with final_sigmas_type sigma_min and a second-order last step either: the last Karras
# sigma already is sigma_min, so h = 0 there and diffusers' heun weight (e^-h - 1)/h is NaN.
CASES = [
    # name, model config, steps, guidance, seed
    ("model_dpmpp_3m_karras_12_cfg", config(DPM, solver_order=3, use_karras_sigmas=True), 12, 7.5, 11),
    ("model_dpmpp_2m_karras_heun_v_10_cfg",
     config(DPM, use_karras_sigmas=True, solver_type="heun", lower_order_final=False,
            prediction_type="v_prediction", timestep_spacing="trailing"),
     10, 5.0, 12),
    ("model_dpmpp_2m_sde_karras_15_cfg", config(DPM, algorithm_type="sde-dpmsolver++", use_karras_sigmas=True),
     15, 7.5, 13),
    ("model_dpmsolver_3m_threshold_20_cfg",
     config(DPM, algorithm_type="dpmsolver", solver_order=3, final_sigmas_type="sigma_min", thresholding=True,
            sample_max_value=1.5, timestep_spacing="leading"),
     20, 3.0, 14),
    ("model_dpm_2s_9_cfg", config("DPMSolverSinglestepScheduler"), 9, 7.5, 15),
    ("model_dpm_3s_heun_karras_12_cfg",
     config("DPMSolverSinglestepScheduler", solver_order=3, solver_type="heun", use_karras_sigmas=True,
            final_sigmas_type="sigma_min"),
     12, 7.5, 16),
    ("model_euler_a_trailing_4", config("EulerAncestralDiscreteScheduler", timestep_spacing="trailing"), 4, 0.0, 18),
]


def gmm_output(x, t, alphas_cumprod, prediction_type, mixture):
    """The reference README's gmm1d model, per element in float64, rounded to float32."""
    abar = float(alphas_cumprod[int(round(float(t)))])
    a, s = math.sqrt(abar), math.sqrt(1.0 - abar)
    xs = x.double().flatten()
    w = torch.tensor(mixture["weights"], dtype=torch.float64)
    mu = torch.tensor(mixture["means"], dtype=torch.float64)
    sd = torch.tensor(mixture["stds"], dtype=torch.float64)
    var = a * a * sd * sd + s * s
    logp = torch.log(w) - 0.5 * torch.log(2 * math.pi * var) - (xs[:, None] - a * mu) ** 2 / (2 * var)
    r = torch.softmax(logp, dim=1)
    score = (r * (a * mu - xs[:, None]) / var).sum(dim=1)
    eps = -s * score
    if prediction_type == "v_prediction":
        x0 = (xs - s * eps) / a
        out = a * eps - s * x0
    elif prediction_type == "sample":
        out = (xs - s * eps) / a
    else:
        out = eps
    return out.reshape(x.shape).float()


def run_case(classes, name, model_config, steps, guidance, seed):
    cls = classes[model_config["_class_name"]]
    module = classes[model_config["_class_name"] + ".module"]
    with tempfile.TemporaryDirectory() as model_dir:
        os.makedirs(os.path.join(model_dir, "scheduler"))
        with open(os.path.join(model_dir, "scheduler", "scheduler_config.json"), "w") as f:
            json.dump(model_config, f, indent=2)
        scheduler = cls.from_pretrained(model_dir, subfolder="scheduler")
    resolved = {k: v for k, v in scheduler.config.items() if k in cls._get_init_keys(cls) and k != "self"}
    scheduler.set_timesteps(steps)

    generator = torch.Generator("cpu").manual_seed(seed)
    step_noise = []
    real_randn = module.randn_tensor

    def recording_randn(*args, **kwargs):
        noise = real_randn(*args, **kwargs)
        step_noise.append(noise.flatten().tolist())
        return noise

    module.randn_tensor = recording_randn
    init_noise = torch.randn(SHAPE, generator=generator, dtype=torch.float32)
    x = init_noise * scheduler.init_noise_sigma
    prediction = scheduler.config.prediction_type
    records = []
    final = None
    for t in scheduler.timesteps:
        inp = scheduler.scale_model_input(x, t)
        if guidance > 1:
            uncond = gmm_output(inp, t, scheduler.alphas_cumprod, prediction, GMM["uncond"])
            cond = gmm_output(inp, t, scheduler.alphas_cumprod, prediction, GMM["cond"])
            out = uncond + guidance * (cond - uncond)
        else:
            out = gmm_output(inp, t, scheduler.alphas_cumprod, prediction, GMM["cond"])
        result = scheduler.step(out, t, x, generator=generator, return_dict=False)
        x = result[0]
        final = result[1] if len(result) > 1 else x  # LCM returns (prev_sample, denoised)
        records.append({"t": float(t), "latents": x.flatten().tolist()})
    module.randn_tensor = real_randn
    return {
        "name": name,
        "scheduler": cls.__name__,
        "config": resolved,
        "model_scheduler_config": model_config,
        "set_timesteps": {},
        "num_inference_steps": steps,
        "guidance_scale": guidance,
        "model": GMM,
        "shape": SHAPE,
        "seed": seed,
        "init_noise_sigma": float(scheduler.init_noise_sigma),
        "init_noise": init_noise.flatten().tolist(),
        "timesteps": [float(t) for t in scheduler.timesteps],
        "step_noise": step_noise,
        "steps": records,
        "final": final.flatten().tolist(),
        "note": "made by tools/conformance/make_sampler_cases.py: " + cls.__name__
                + ".from_pretrained(model folder with model_scheduler_config) from diffusers' source, torch "
                + torch.__version__,
    }


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    classes = diffusers_source.load(sys.argv[1])
    out_dir = sys.argv[2]
    for name, model_config, steps, guidance, seed in CASES:
        case = run_case(classes, name, model_config, steps, guidance, seed)
        path = os.path.join(out_dir, name + ".json")
        with open(path, "w") as f:
            json.dump(case, f)
        print(f"{path}: {case['scheduler']} {steps} steps, timesteps {case['timesteps']}, "
              f"{len(case['step_noise'])} noise draws")


if __name__ == "__main__":
    main()
