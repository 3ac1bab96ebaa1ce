"""Training of the restoration models (PyTorch; optional, never imported at run time).

Run with a separate training venv (the project plus torch, which the services never need), e.g.
`python3 -m venv .venv-train && .venv-train/bin/pip install -e . torch==2.13.0`, then
`PYTHONPATH=libs:. .venv-train/bin/python -m services.restoration.training.train_sr --scale 2`.
"""
