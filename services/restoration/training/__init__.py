"""Training of the restoration models (PyTorch; optional, never imported at run time).

Run with the separate training venv (torch installed there only), e.g.
`PYTHONPATH=libs:. /work/venvs/train/bin/python -m services.restoration.training.train_sr --scale 2`.
"""
