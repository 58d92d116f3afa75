"""Checks Serve configs (`serveConfigV2` texts, a JSON list on stdin)
against Ray Serve's own schema, strictly: Serve ignores keys it does not
know, so every key is also checked against the schema's fields."""

import json
import sys

import yaml
from pydantic import BaseModel
from ray.runtime_env import RuntimeEnv
from ray.serve.config import AutoscalingConfig
from ray.serve.schema import DeploymentSchema, ServeDeploySchema

# The runtime_env keys gen writes, each a documented runtime_env field.
RUNTIME_ENV_KEYS = set(RuntimeEnv.known_fields)


def keys(model, value, at, errors):
    if not isinstance(value, dict):
        return
    fields = {f.alias: f for f in model.__fields__.values()}
    for key, item in value.items():
        field = fields.get(key)
        if field is None:
            errors.append(f"{at}.{key}: not a field of {model.__name__}")
            continue
        inner = field.type_
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            if isinstance(item, list):
                for i, v in enumerate(item):
                    keys(inner, v, f"{at}.{key}[{i}]", errors)
            else:
                keys(inner, item, f"{at}.{key}", errors)
        if model is DeploymentSchema and key == "autoscaling_config":
            keys(AutoscalingConfig, item, f"{at}.{key}", errors)
            AutoscalingConfig.parse_obj(item)
        if key == "runtime_env":
            for k in item:
                if k not in RUNTIME_ENV_KEYS:
                    errors.append(f"{at}.runtime_env.{k}: not a runtime_env field")
            RuntimeEnv(**item)


def main():
    texts = json.load(sys.stdin)
    errors = []
    for n, text in enumerate(texts):
        config = yaml.safe_load(text)
        try:
            ServeDeploySchema.parse_obj(config)
            keys(ServeDeploySchema, config, f"config {n}", errors)
        except Exception as e:  # a refusal by the schema itself
            errors.append(f"config {n}: {e}")
    for e in errors:
        print(e)
    print(f"{len(texts)} Serve configs checked", file=sys.stderr)
    sys.exit(1 if errors else 0)


main()
