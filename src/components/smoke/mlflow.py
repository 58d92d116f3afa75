# MLflow's tracking server answers its health endpoint, and a run with a
# parameter and a metric can be logged and read back.
import os
import urllib.request

import mlflow

url = f"http://{os.environ['HOST']}:{os.environ['PORT']}"
with urllib.request.urlopen(url + "/health", timeout=30) as response:
    assert response.status == 200, response.status
mlflow.set_tracking_uri(url)
mlflow.set_experiment("platgen-smoke")
with mlflow.start_run(run_name="post-sync") as run:
    mlflow.log_param("check", "post-sync")
    mlflow.log_metric("ok", 1.0)
logged = mlflow.get_run(run.info.run_id)
assert logged.data.params["check"] == "post-sync", logged.data.params
assert logged.data.metrics["ok"] == 1.0, logged.data.metrics
print("run", run.info.run_id, "logged")
