"""Imports diffusers' own scheduler code from a source checkout on Debian's python3 + torch 1.13.

diffusers is not installed here and its package __init__ pulls in huggingface_hub, safetensors and
more. Only three of its files are needed to build a scheduler the way a pipeline does
(`Scheduler.from_pretrained(model_dir, subfolder="scheduler")` = `load_config` + `from_config`):
src/diffusers/configuration_utils.py, schedulers/scheduling_utils.py and the scheduler's module.
They are loaded unchanged from the checkout; only the names they import from elsewhere get the
small stand-ins below (Hub download functions that are never called, a no-op `deprecate`, logging,
and `randn_tensor` for a CPU generator, which is `torch.randn(shape, generator=...)` there).

Usage: `schedulers = load(src_dir)` with src_dir = <diffusers checkout>/src; then
`schedulers.DPMSolverMultistepScheduler.from_pretrained(model_dir, subfolder="scheduler")`.
"""
import importlib
import logging as std_logging
import os
import sys
import types

import torch

SCHEDULER_MODULES = {
    "DPMSolverMultistepScheduler": "scheduling_dpmsolver_multistep",
    "DPMSolverSinglestepScheduler": "scheduling_dpmsolver_singlestep",
    "EulerDiscreteScheduler": "scheduling_euler_discrete",
    "EulerAncestralDiscreteScheduler": "scheduling_euler_ancestral_discrete",
    "DDIMScheduler": "scheduling_ddim",
    "LCMScheduler": "scheduling_lcm",
    "DDPMScheduler": "scheduling_ddpm",
}


def _module(name, path=None, **attrs):
    m = types.ModuleType(name)
    if path is not None:
        m.__path__ = [path]
    m.__dict__.update(attrs)
    sys.modules[name] = m
    return m


def _hub_stubs():
    class HubError(Exception):
        pass

    def unavailable(*args, **kwargs):
        raise RuntimeError("no Hub access here: give a local model folder")

    _module("huggingface_hub", DDUFEntry=type("DDUFEntry", (), {}), create_repo=unavailable,
            hf_hub_download=unavailable)
    _module("huggingface_hub.utils", EntryNotFoundError=HubError, HfHubHTTPError=HubError,
            RepositoryNotFoundError=HubError, RevisionNotFoundError=HubError,
            validate_hf_hub_args=lambda f: f)


def _randn_tensor(shape, generator=None, device=None, dtype=None, layout=None):
    # diffusers' randn_tensor with one CPU generator draws torch.randn on the CPU, then moves it
    return torch.randn(shape, generator=generator, device="cpu", dtype=dtype,
                       layout=layout or torch.strided).to(device or "cpu")


class _BaseOutput:
    """Stand-in for diffusers.utils.BaseOutput: only attribute access is used here."""


def load(src_dir):
    """Returns a namespace with every scheduler class of SCHEDULER_MODULES, from src_dir."""
    package_dir = os.path.join(src_dir, "diffusers")
    if not os.path.isfile(os.path.join(package_dir, "configuration_utils.py")):
        raise SystemExit(f"{src_dir} is not a diffusers src/ folder (no diffusers/configuration_utils.py)")
    _hub_stubs()
    diffusers = _module("diffusers", package_dir, __version__="source")
    logging = types.SimpleNamespace(get_logger=std_logging.getLogger)
    _module("diffusers.utils", os.path.join(package_dir, "utils"),
            HUGGINGFACE_CO_RESOLVE_ENDPOINT="https://huggingface.co", DummyObject=type("DummyObject", (type,), {}),
            deprecate=lambda *args, **kwargs: None, extract_commit_hash=lambda *args, **kwargs: None,
            http_user_agent=lambda *args, **kwargs: {}, logging=logging, is_scipy_available=lambda: True,
            BaseOutput=_BaseOutput, PushToHubMixin=type("PushToHubMixin", (), {}))
    _module("diffusers.utils.torch_utils", randn_tensor=_randn_tensor)
    _module("diffusers.schedulers", os.path.join(package_dir, "schedulers"))
    importlib.import_module("diffusers.configuration_utils")
    classes = {}
    for class_name, module_name in SCHEDULER_MODULES.items():
        module = importlib.import_module("diffusers.schedulers." + module_name)
        cls = getattr(module, class_name)
        setattr(diffusers, class_name, cls)  # from_config looks classes up on the package
        classes[class_name] = cls
        classes[class_name + ".module"] = module
    return classes
