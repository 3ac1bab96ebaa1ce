"""One module per style; each exposes PIPELINES: {Method: [step, ...]}."""
