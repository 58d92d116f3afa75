# The Ray cluster runs a remote task: the submitter connects to it
# (KubeRay sets RAY_ADDRESS), schedules a task and gets its result.
import ray

ray.init()
assert ray.get(ray.remote(lambda: 42).remote()) == 42
print(ray.cluster_resources())
