"""Writes the __init__ defaults of the diffusers scheduler classes this project implements.

Read from diffusers' own source (see diffusers_source.py) with inspect.signature, so the project's
DiffusersDefaults can be checked key by key against what `from_config` fills in for a key a model's
scheduler_config.json leaves out.

Run: /usr/bin/python3 tools/conformance/make_scheduler_defaults.py DIFFUSERS_SRC OUT_FILE
OUT_FILE is core/src/test/resources/conformance/schedulers/init_defaults.json in this repository.
"""
import inspect
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import diffusers_source  # noqa: E402


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    classes = diffusers_source.load(sys.argv[1])
    out = {}
    for name in diffusers_source.SCHEDULER_MODULES:
        cls = classes[name]
        params = inspect.signature(cls.__init__).parameters
        out[name] = {k: p.default for k, p in params.items() if k != "self" and k not in cls.ignore_for_config}
    os.makedirs(os.path.dirname(os.path.abspath(sys.argv[2])), exist_ok=True)
    with open(sys.argv[2], "w") as f:
        json.dump({"note": "diffusers scheduler __init__ defaults, made by tools/conformance/make_scheduler_defaults.py",
                   "classes": out}, f, indent=1)
    print(f"{sys.argv[2]}: {', '.join(f'{k} ({len(v)} keys)' for k, v in out.items())}")


if __name__ == "__main__":
    main()
