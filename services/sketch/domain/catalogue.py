"""The catalogue of the 7 styles x 3 methods, as data (renders `GET /v1/sketch/styles`).

Sizes given in pixels are "pixels of a 1-megapixel image": they scale with the image so a
12-MP photo and its 1-MP preview look alike.
"""

from __future__ import annotations

from .catalogue_types import Method, ParamSpec, ParamType, Style, Variant

F, I = ParamType.FLOAT, ParamType.INT  # noqa: E741 - short aliases keep the parameter table readable

STYLE_DESCRIPTIONS: dict[Style, str] = {
    Style.PENCIL: "Graphite pencil on white drawing paper.",
    Style.CHARCOAL: "Soft charcoal: deep blacks, smudged tones and rough paper tooth.",
    Style.WATERCOLOR: "Transparent washes that pool at their edges and granulate on cold-press paper.",
    Style.INK: "Pen and brush ink: pure blacks and washes on paper.",
    Style.PASTEL: "Soft chalk pastel whose pigment catches on the paper's grain.",
    Style.OIL: "Oil paint on canvas: blended brush work and relief.",
    Style.ACRYLIC: "Acrylic paint: flat, saturated, opaque colour fields.",
}

METHOD_DESCRIPTIONS: dict[Method, str] = {
    Method.BASIC: "Fast: edges and shading.",
    Method.ADVANCED: "Edge-preserving smoothing and a material texture.",
    Method.ARTISTIC: "Stronger detail and stylisation.",
}


def _p(name: str, kind: ParamType, lo: float, hi: float, default: float, text: str) -> ParamSpec:
    return ParamSpec(name, kind, lo, hi, default, text)


SEED = _p("seed", I, 0, 2_147_483_647, 0, "Seed of the procedural paper/canvas texture and stroke jitter.")


def _darkness(default: float = 1.0) -> ParamSpec:
    return _p("darkness", F, 0.2, 3.0, default, "How dark the medium lays down (tone gamma; 1 = natural).")


def _grain(default: float) -> ParamSpec:
    return _p("paper_grain", F, 0.0, 1.0, default, "Strength of the paper's tooth showing through.")


def _saturation(default: float) -> ParamSpec:
    return _p("saturation", F, 0.0, 2.0, default, "Colour saturation (0 = grey, 1 = as the photo).")


def _line_weight(default: float = 1.0) -> ParamSpec:
    return _p("line_weight", F, 0.5, 3.0, default, "Thickness of contour lines.")


_VARIANTS: tuple[Variant, ...] = (
    # --- PENCIL
    Variant(
        Style.PENCIL,
        Method.BASIC,
        "Classic graphite: colour-dodge shading with soft edges on paper.",
        (_darkness(), _p("softness", F, 0.0, 1.0, 0.5, "Width of the shaded edges."), _grain(0.35), SEED),
    ),
    Variant(
        Style.PENCIL,
        Method.ADVANCED,
        "Edge-preserving shading plus directional hatching that follows the forms.",
        (
            _darkness(),
            _p("hatch_density", F, 0.0, 1.0, 0.6, "How much hatching fills the shadows."),
            _p("smoothing", F, 0.0, 1.0, 0.5, "Edge-preserving flattening of textures first."),
            _grain(0.4),
            SEED,
        ),
    ),
    Variant(
        Style.PENCIL,
        Method.ARTISTIC,
        "Coloured-pencil cross-hatching with crisp contour lines.",
        (
            _darkness(),
            _line_weight(),
            _p("hatch_spacing", I, 3, 24, 6, "Distance between hatch lines (px)."),
            _p("color_amount", F, 0.0, 1.0, 0.55, "How much of the photo's colour the pencils carry."),
            SEED,
        ),
    ),
    # --- CHARCOAL
    Variant(
        Style.CHARCOAL,
        Method.BASIC,
        "Dark, contrasty charcoal with smudged shading on rough paper.",
        (_darkness(), _p("smudge", F, 0.0, 1.0, 0.5, "How far the charcoal is rubbed out."), _grain(0.6), SEED),
    ),
    Variant(
        Style.CHARCOAL,
        Method.ADVANCED,
        "Charcoal and white chalk on toned paper, edge-preserving.",
        (
            _darkness(),
            _p("chalk_highlights", F, 0.0, 1.0, 0.6, "Strength of the white chalk highlights."),
            _p("paper_tone", F, 0.2, 0.9, 0.55, "Brightness of the toned paper."),
            _grain(0.5),
            SEED,
        ),
    ),
    Variant(
        Style.CHARCOAL,
        Method.ARTISTIC,
        "Gestural charcoal strokes dragged along the forms, bold contours.",
        (
            _darkness(),
            _p("stroke_length", I, 4, 60, 18, "Length of the charcoal strokes (px)."),
            _line_weight(1.4),
            SEED,
        ),
    ),
    # --- WATERCOLOR
    Variant(
        Style.WATERCOLOR,
        Method.BASIC,
        "Simplified colour washes with darkened wet edges.",
        (
            _p("wash", F, 0.0, 1.0, 0.35, "How thin (light) the washes are."),
            _p("edge_darkening", F, 0.0, 1.0, 0.5, "Pigment pooling at the edges of washes."),
            _p("granulation", F, 0.0, 1.0, 0.4, "Pigment settling into the paper's grain."),
            SEED,
        ),
    ),
    Variant(
        Style.WATERCOLOR,
        Method.ADVANCED,
        "Edge-preserving washes in flat layers, colour bleeding and granulation on cold-press paper.",
        (
            _p("wash", F, 0.0, 1.0, 0.3, "How thin (light) the washes are."),
            _p("levels", I, 3, 16, 5, "Number of tonal layers of wash."),
            _p("bleed", F, 0.0, 1.0, 0.4, "How far colour bleeds across edges."),
            _p("granulation", F, 0.0, 1.0, 0.5, "Pigment settling into the paper's grain."),
            SEED,
        ),
    ),
    Variant(
        Style.WATERCOLOR,
        Method.ARTISTIC,
        "Loose wet-in-wet painting over a visible pencil drawing.",
        (
            _p("wash", F, 0.0, 1.0, 0.3, "How thin (light) the washes are."),
            _p("bleed", F, 0.0, 1.0, 0.8, "How far colour runs away from the drawing."),
            _p("pencil_lines", F, 0.0, 1.0, 0.6, "Visibility of the pencil under-drawing."),
            _p("blooms", F, 0.0, 1.0, 0.6, "Back-run blooms where wet paint met drying paint."),
            SEED,
        ),
    ),
    # --- INK
    Variant(
        Style.INK,
        Method.BASIC,
        "Comic-book inking: clean contour lines and solid black shadows.",
        (
            _line_weight(),
            _p("shadow_threshold", F, 0.0, 0.6, 0.22, "Tone below which areas are filled black."),
            _p("detail", F, 0.0, 1.0, 0.5, "How many fine lines are kept."),
            SEED,
        ),
    ),
    Variant(
        Style.INK,
        Method.ADVANCED,
        "Sumi-e ink wash: a few diluted ink tones and brush contours.",
        (
            _p("wash_levels", I, 2, 6, 3, "Number of ink dilutions."),
            _line_weight(),
            _p("bleed", F, 0.0, 1.0, 0.5, "How far the wet ink feathers into the paper."),
            SEED,
        ),
    ),
    Variant(
        Style.INK,
        Method.ARTISTIC,
        "Engraving: swelling parallel lines whose width carries the tone.",
        (
            _p("line_spacing", I, 3, 20, 6, "Distance between engraved lines (px)."),
            _line_weight(),
            _p("waviness", F, 0.0, 1.0, 0.5, "How much the lines bend with the forms."),
            SEED,
        ),
    ),
    # --- PASTEL
    Variant(
        Style.PASTEL,
        Method.BASIC,
        "Soft, light pastel colours blended, with paper grain showing.",
        (_p("softness", F, 0.0, 1.0, 0.5, "How blended the pastel is."), _saturation(0.8), _grain(0.5), SEED),
    ),
    Variant(
        Style.PASTEL,
        Method.ADVANCED,
        "Short pastel strokes following the forms on tinted paper.",
        (_p("stroke_length", I, 4, 60, 16, "Length of pastel strokes (px)."), _saturation(1.1), _grain(0.5), SEED),
    ),
    Variant(
        Style.PASTEL,
        Method.ARTISTIC,
        "Bright chalk pastel on black paper.",
        (_saturation(1.4), _grain(0.6), _p("brightness", F, 0.5, 2.0, 1.0, "How much chalk is laid down."), SEED),
    ),
    # --- OIL
    Variant(
        Style.OIL,
        Method.BASIC,
        "Blended oil paint (Kuwahara brush smoothing) on canvas.",
        (
            _p("brush_size", I, 2, 16, 5, "Brush radius (px)."),
            _saturation(1.15),
            _p("canvas", F, 0.0, 1.0, 0.4, "Visibility of the canvas weave."),
            SEED,
        ),
    ),
    Variant(
        Style.OIL,
        Method.ADVANCED,
        "Multi-scale oil brushing with lit impasto relief on canvas.",
        (
            _p("brush_size", I, 2, 16, 7, "Brush radius (px)."),
            _p("impasto", F, 0.0, 1.0, 0.6, "Paint relief."),
            _saturation(1.2),
            _p("canvas", F, 0.0, 1.0, 0.3, "Visibility of the canvas weave."),
            SEED,
        ),
    ),
    Variant(
        Style.OIL,
        Method.ARTISTIC,
        "Expressive brush strokes laid along the forms, thick impasto.",
        (
            _p("brush_size", I, 3, 24, 7, "Width of the largest brush (px)."),
            _p("impasto", F, 0.0, 1.0, 0.8, "Paint relief."),
            _saturation(1.3),
            _p("stroke_jitter", F, 0.0, 1.0, 0.3, "Random variation of stroke colour and angle."),
            SEED,
        ),
    ),
    # --- ACRYLIC
    Variant(
        Style.ACRYLIC,
        Method.BASIC,
        "Flat opaque colour fields with crisp edges.",
        (
            _p("levels", I, 2, 12, 6, "Tonal levels per colour channel."),
            _saturation(1.3),
            _p("smoothing", F, 0.0, 1.0, 0.5, "Flattening before the colours are separated."),
            SEED,
        ),
    ),
    Variant(
        Style.ACRYLIC,
        Method.ADVANCED,
        "Palette-knife acrylic: flattened colour with knife streaks.",
        (
            _p("colors", I, 4, 24, 12, "Number of paint colours mixed."),
            _p("knife_texture", F, 0.0, 1.0, 0.6, "Strength of the knife streaks."),
            _saturation(1.2),
            SEED,
        ),
    ),
    Variant(
        Style.ACRYLIC,
        Method.ARTISTIC,
        "Pop-art acrylic: few saturated colours and bold outlines.",
        (_p("colors", I, 2, 10, 5, "Number of paint colours."), _line_weight(1.6), _saturation(1.6), SEED),
    ),
)

CATALOGUE: dict[tuple[Style, Method], Variant] = {(v.style, v.method): v for v in _VARIANTS}


def variant(style: Style, method: Method) -> Variant:
    """The catalogue entry of one combination (all 21 exist)."""
    return CATALOGUE[(style, method)]


def catalogue_as_dict() -> dict[str, object]:
    """JSON-ready view of the whole catalogue, for `GET /v1/sketch/styles`."""
    return {
        "styles": [
            {
                "style": s.value,
                "description": STYLE_DESCRIPTIONS[s],
                "methods": [
                    {**CATALOGUE[(s, m)].as_dict(), "method_description": METHOD_DESCRIPTIONS[m]} for m in Method
                ],
            }
            for s in Style
        ],
        "methods": [{"method": m.value, "description": METHOD_DESCRIPTIONS[m]} for m in Method],
    }
