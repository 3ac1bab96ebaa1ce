"""Exact bicubic upsampling as a fixed convolution (polyphase form), for fast ONNX graphs.

onnxruntime's cubic `Resize` is slow on CPU. Bicubic x`s` upsampling (a = -0.75, half-pixel centres,
edge clamping: what torch's F.interpolate(mode="bicubic", align_corners=False) and cv2 INTER_CUBIC do)
equals: edge-pad by 2, a fixed 5x5 convolution to s*s phase channels, DepthToSpace. `fuse_skip`
rewrites an exported residual SR graph (Resize skip + DepthToSpace + Add) into that form, adding the
skip before the network's own DepthToSpace, so the result is the same up to float rounding.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import helper, numpy_helper


def cubic(x: np.ndarray, a: float = -0.75) -> np.ndarray:
    x = np.abs(x)
    return np.where(
        x <= 1, (a + 2) * x**3 - (a + 3) * x**2 + 1, np.where(x < 2, a * x**3 - 5 * a * x**2 + 8 * a * x - 4 * a, 0.0)
    )


def polyphase_weights(scale: int) -> np.ndarray:
    """(scale*scale, 1, 5, 5) weights; output channel py*scale + px is the (py, px) phase."""
    taps = np.arange(-2, 3)
    phases = [(p + 0.5) / scale - 0.5 for p in range(scale)]  # source offset of each output phase
    one_d = np.array([cubic(d - taps) for d in phases])  # scale x 5
    w = np.einsum("yi,xj->yxij", one_d, one_d).reshape(scale * scale, 1, 5, 5)
    return w.astype(np.float32)


def fuse_skip(model: onnx.ModelProto, scale: int) -> onnx.ModelProto:
    """Replace `Resize(input) ... Add(resize, DepthToSpace(conv))` by a polyphase skip before DepthToSpace."""
    g = model.graph
    resize = next(n for n in g.node if n.op_type == "Resize")
    d2s = next(n for n in g.node if n.op_type == "DepthToSpace")
    add = next(n for n in g.node if n.op_type == "Add" and resize.output[0] in n.input)
    source, last_conv = resize.input[0], d2s.input[0]
    inits = [
        numpy_helper.from_array(polyphase_weights(scale), "skip_w"),
        numpy_helper.from_array(np.array([0, 0, 2, 2, 0, 0, 2, 2], np.int64), "skip_pads"),
    ]
    new_nodes = [
        helper.make_node("Pad", [source, "skip_pads"], ["skip_padded"], mode="edge"),
        helper.make_node("Conv", ["skip_padded", "skip_w"], ["skip_phases"], kernel_shape=[5, 5]),
        helper.make_node("Add", [last_conv, "skip_phases"], ["with_skip"]),
        helper.make_node(
            "DepthToSpace",
            ["with_skip"],
            [add.output[0]],
            blocksize=scale,
            mode=next((a.s.decode() for a in d2s.attribute if a.name == "mode"), "DCR"),
        ),
    ]
    drop = {id(resize), id(d2s), id(add)}
    kept = [n for n in g.node if id(n) not in drop]
    # keep topological order: the new nodes go where the old Add was (the end)
    del g.node[:]
    g.node.extend(kept + new_nodes)
    g.initializer.extend(inits)
    return prune(model)


def prune(model: onnx.ModelProto) -> onnx.ModelProto:
    """Drop nodes and initializers whose outputs nothing uses (e.g. the old Resize's scales)."""
    g = model.graph
    while True:
        used = {i for n in g.node for i in n.input} | {o.name for o in g.output}
        dead = [n for n in g.node if not any(o in used for o in n.output)]
        if not dead:
            break
        for node in dead:
            g.node.remove(node)
    used = {i for n in g.node for i in n.input}
    for init in [i for i in g.initializer if i.name not in used]:
        g.initializer.remove(init)
    return model
