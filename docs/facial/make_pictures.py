"""Draw docs/facial/landmarks_68.png and docs/facial/masks_astronaut.png.

Run from the repository root: PYTHONPATH=libs:. python docs/facial/make_pictures.py
"""

from __future__ import annotations

import os

import cv2
import numpy as np
from skimage import data

from services.facial.adapters.dlib_landmarks import shared_detector
from services.facial.domain.alignment import warp_to_aligned
from services.facial.domain.params import ContourParams
from services.facial.domain.pipeline import ContourInput, compute_contours
from services.facial.domain.scheme import LANDMARK_GROUPS

OUT = os.path.dirname(os.path.abspath(__file__))
GROUP_COLOURS = {  # RGB
    "jaw": (255, 200, 0),
    "right_eyebrow": (255, 80, 80),
    "left_eyebrow": (80, 160, 255),
    "nose_bridge": (0, 220, 120),
    "nose_lower": (0, 160, 80),
    "right_eye": (255, 0, 200),
    "left_eye": (0, 230, 255),
    "outer_lip": (255, 140, 0),
    "inner_lip": (200, 255, 0),
}
REGION_COLOURS = {
    "face_oval": (255, 220, 120),
    "whole_face": (255, 255, 255),
    "left_eyebrow": (80, 160, 255),
    "right_eyebrow": (255, 80, 80),
    "left_eye": (0, 230, 255),
    "right_eye": (255, 0, 200),
    "nose": (0, 220, 120),
    "upper_lip": (255, 140, 0),
    "lower_lip": (200, 255, 0),
    "mouth": (255, 40, 40),
}


def landmarks_picture(image: np.ndarray, lm: np.ndarray) -> np.ndarray:
    lo, hi = lm.min(axis=0), lm.max(axis=0)
    pad = (hi - lo) * 0.25
    x0, y0 = (lo - pad).astype(int)
    x1, y1 = (hi + pad).astype(int)
    scale = 900 / (y1 - y0)
    crop = cv2.resize(image[y0:y1, x0:x1], None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    canvas = (crop * 0.6).astype(np.uint8)
    for name, (a, b) in LANDMARK_GROUPS.items():
        colour = GROUP_COLOURS[name]
        for i in range(a, b + 1):
            x, y = (lm[i] - (x0, y0)) * scale
            cv2.circle(canvas, (round(x), round(y)), 5, colour, -1, cv2.LINE_AA)
            cv2.putText(
                canvas,
                str(i),
                (round(x) + 6, round(y) - 4),
                cv2.FONT_HERSHEY_SIMPLEX,
                0.5,
                (255, 255, 255),
                2,
                cv2.LINE_AA,
            )
            cv2.putText(
                canvas, str(i), (round(x) + 6, round(y) - 4), cv2.FONT_HERSHEY_SIMPLEX, 0.5, colour, 1, cv2.LINE_AA
            )
    legend = np.zeros((canvas.shape[0], 330, 3), np.uint8)
    cv2.putText(
        legend, "iBUG 300-W 68 points", (10, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (255, 255, 255), 1, cv2.LINE_AA
    )
    cv2.putText(
        legend, "(0-based, subject's L/R)", (10, 58), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (200, 200, 200), 1, cv2.LINE_AA
    )
    for k, (name, (a, b)) in enumerate(LANDMARK_GROUPS.items()):
        y = 100 + 34 * k
        cv2.circle(legend, (20, y - 6), 7, GROUP_COLOURS[name], -1, cv2.LINE_AA)
        cv2.putText(
            legend, f"{a:2d}-{b:2d} {name}", (38, y), cv2.FONT_HERSHEY_SIMPLEX, 0.6, GROUP_COLOURS[name], 1, cv2.LINE_AA
        )
    return np.hstack([canvas, legend])


def overlay(image: np.ndarray, geometry, scale: float = 1.0) -> np.ndarray:
    big = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC) if scale != 1 else image
    canvas = big.copy()
    fill = big.copy()
    for face in geometry.faces:
        for shape in face.shapes:
            if shape.region in ("whole_face", "face_oval"):
                continue
            polys = [np.round((r.points + 0.5) * scale * 16 - 8).astype(np.int32) for r in shape.rings]
            cv2.fillPoly(fill, polys, REGION_COLOURS[shape.region], cv2.LINE_AA, shift=4)
    canvas = cv2.addWeighted(fill, 0.45, canvas, 0.55, 0)
    for face in geometry.faces:
        for shape in face.shapes:
            for r in shape.rings:
                poly = np.round((r.points + 0.5) * scale * 16 - 8).astype(np.int32)
                colour = REGION_COLOURS[shape.region]
                thick = 1 if shape.region != "whole_face" else 2
                cv2.polylines(canvas, [poly], True, colour, thick, cv2.LINE_AA, shift=4)
    return canvas


def label(img: np.ndarray, text: str) -> np.ndarray:
    out = img.copy()
    cv2.putText(out, text, (8, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 0), 3, cv2.LINE_AA)
    cv2.putText(out, text, (8, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 255), 1, cv2.LINE_AA)
    return out


def fit(img: np.ndarray, height: int) -> np.ndarray:
    s = height / img.shape[0]
    interp = cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC
    return cv2.resize(img, (round(img.shape[1] * s), height), interpolation=interp)


def segmentation_panel(image: np.ndarray, lm: np.ndarray) -> np.ndarray:
    """A CelebAMask-HQ-style label map painted from the landmark masks, traced back by the map path."""
    from services.facial.domain.render_masks import region_masks

    geo = compute_contours(ContourInput(image, landmarks=lm), ContourParams.create()).geometry
    masks = {k: v > 0 for k, v in region_masks(geo).items()}
    labels = np.zeros(image.shape[:2], np.uint8)
    for name, label_id in [
        ("whole_face", 1),
        ("left_eyebrow", 2),
        ("right_eyebrow", 3),
        ("left_eye", 4),
        ("right_eye", 5),
        ("nose", 10),
        ("mouth", 11),
        ("upper_lip", 12),
        ("lower_lip", 13),
    ]:
        labels[masks[name]] = label_id
    result = compute_contours(ContourInput(image, label_map=labels), ContourParams.create())
    scale = 512 / image.shape[0]
    shown = overlay(image, result.geometry, scale)
    # draw hole rings of the skin region dashed-looking in black to show they are holes
    skin = next(sh for sh in result.geometry.faces[0].shapes if sh.region == "face_oval")
    for ring in skin.rings:
        if ring.hole:
            poly = np.round((ring.points + 0.5) * scale * 16 - 8).astype(np.int32)
            cv2.polylines(shown, [poly], True, (0, 0, 0), 1, cv2.LINE_AA, shift=4)
    return shown


def main() -> None:
    det = shared_detector()
    astro = data.astronaut()
    params = ContourParams.create()
    result = compute_contours(ContourInput(astro), params, det)
    lm = result.geometry.faces[0].landmarks
    cv2.imwrite(os.path.join(OUT, "landmarks_68.png"), cv2.cvtColor(landmarks_picture(astro, lm), cv2.COLOR_RGB2BGR))

    full = label(overlay(astro, result.geometry), "astronaut: all regions (original space)")
    x, y, w, h = (int(v) for v in result.geometry.faces[0].box)
    pad = w // 2
    zoom_img = astro[y - pad : y + h + pad, x - pad : x + w + pad]
    zoom_res = compute_contours(ContourInput(zoom_img, landmarks=lm - (x - pad, y - pad)), params)
    zoom = label(overlay(zoom_img, zoom_res.geometry, 512 / zoom_img.shape[0]), "zoom (given landmarks)")
    png_res = compute_contours(
        ContourInput(zoom_img, landmarks=lm - (x - pad, y - pad)),
        ContourParams.create(regions=["face_oval"], output_formats=["png"]),
    )
    oval = cv2.imdecode(np.frombuffer(png_res.masks["face_oval"], np.uint8), cv2.IMREAD_GRAYSCALE)
    tint = zoom_img.copy()
    tint[oval == 0] = (tint[oval == 0] * 0.25).astype(np.uint8)
    oval_panel = label(fit(tint, 512), "face_oval PNG mask (holes)")
    seg_panel = label(segmentation_panel(zoom_img, lm - (x - pad, y - pad)), "segmentation-map path")

    centre = (256, 256)
    rot = cv2.warpAffine(astro, cv2.getRotationMatrix2D(centre, -25, 1.0), (512, 512))
    aligned = compute_contours(ContourInput(rot), ContourParams.create(align=True, space="aligned", margin=0.3), det)
    crop = warp_to_aligned(rot, aligned.geometry.alignment)
    al = label(overlay(crop, aligned.geometry, 512 / crop.shape[0]), "rotated -25 deg, aligned crop")
    rot_full = label(overlay(rot, compute_contours(ContourInput(rot), params, det).geometry), "rotated -25 deg input")
    row1 = np.hstack([fit(full, 512), fit(zoom, 512), oval_panel])
    row2 = np.hstack([fit(rot_full, 512), fit(al, 512), seg_panel])
    width = max(row1.shape[1], row2.shape[1])
    row1 = np.pad(row1, ((0, 0), (0, width - row1.shape[1]), (0, 0)))
    row2 = np.pad(row2, ((0, 0), (0, width - row2.shape[1]), (0, 0)))
    cv2.imwrite(os.path.join(OUT, "masks_astronaut.png"), cv2.cvtColor(np.vstack([row1, row2]), cv2.COLOR_RGB2BGR))


if __name__ == "__main__":
    main()
