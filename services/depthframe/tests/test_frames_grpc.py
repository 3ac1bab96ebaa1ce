"""Frames, the strip image and colormaps over a real gRPC channel, on SQLite and PostgreSQL."""

from __future__ import annotations

import grpc
import numpy as np
import pytest

from imagemesh.depthframe.v1 import depthframe_pb2 as pb
from services.depthframe.domain import (
    ColorScale,
    apply_colormap,
    decode_png_rgb,
    make_custom_colormap,
    parse_depth_csv,
    resolve_colormap,
)
from services.depthframe.sample_data.depth_log import make_depth_csv

from .csv_samples import area_resize_reference
from .grpc_helpers import create, expect_error

pytestmark = pytest.mark.integration

SAMPLE = make_depth_csv(rows=301, width=200, seed=5)  # depths 9000.1 .. 9030.0
PARSED = parse_depth_csv(SAMPLE)
RESIZED = area_resize_reference(PARSED.pixels, 150)
SCALE = ColorScale(int(RESIZED.min()), int(RESIZED.max()))


def frames_request(dataset_id: str, **kw) -> pb.QueryFramesRequest:
    return pb.QueryFramesRequest(dataset_id=dataset_id, **kw)


async def test_frames_are_the_stored_rows_colored_with_the_dataset_scale(depthframe):
    h = depthframe
    ds = await create(h.stub, h.alice, SAMPLE)
    reply = await h.stub.QueryFrames(
        frames_request(ds.id, depth_min=9010.0, depth_max=9010.9, colormap="viridis"), metadata=h.alice
    )
    assert reply.dataset_id == ds.id
    depths = [f.depth for f in reply.frames]
    assert depths == PARSED.depths[99:109].tolist()  # 9010.0 .. 9010.9, both ends included
    viridis = resolve_colormap("viridis")
    for frame, row in zip(reply.frames, RESIZED[99:109], strict=True):
        assert (frame.width, frame.height) == (150, 1)
        assert np.array_equal(decode_png_rgb(frame.png)[0], apply_colormap(row, viridis, SCALE))


async def test_same_depth_same_colors_in_every_range(depthframe):
    h = depthframe
    ds = await create(h.stub, h.alice, SAMPLE)
    narrow = await h.stub.QueryFrames(frames_request(ds.id, depth_min=9020.0, depth_max=9020.0), metadata=h.alice)
    wide = await h.stub.QueryFrames(frames_request(ds.id), metadata=h.alice)
    sliced = await h.stub.QueryFrames(frames_request(ds.id, depth_min=9019.95, depth_max=9020.05), metadata=h.alice)
    assert len(wide.frames) == 300 and len(narrow.frames) == 1
    assert narrow.frames[0] == wide.frames[199] == sliced.frames[0]
    other_map = await h.stub.QueryFrames(
        frames_request(ds.id, depth_min=9020.0, depth_max=9020.0, colormap="gray"), metadata=h.alice
    )
    assert other_map.frames[0].png != narrow.frames[0].png


async def test_bounds_inclusive_open_and_empty(depthframe):
    h = depthframe
    ds = await create(h.stub, h.alice, SAMPLE)

    async def depths(**kw):
        return [f.depth for f in (await h.stub.QueryFrames(frames_request(ds.id, **kw), metadata=h.alice)).frames]

    # Twice: rendered from the database, then sliced from the cached frames of the whole dataset.
    for _ in range(2):
        assert await depths(depth_min=9000.1, depth_max=9000.3) == [9000.1, 9000.2, 9000.3]
        assert await depths(depth_min=9000.0 + 0.1 * 3, depth_max=9000.0 + 0.1 * 3) == [9000.3]  # keyed
        assert await depths(depth_min=9029.9) == [9029.9, 9030.0]
        assert await depths(depth_max=9000.1) == [9000.1]
        assert await depths(depth_min=9000.01, depth_max=9000.09) == []  # between two rows
        assert await depths(depth_min=0, depth_max=10) == []
        assert len(await depths()) == 300
    await expect_error(
        h.stub.QueryFrames(frames_request(ds.id, depth_min=9001, depth_max=9000), metadata=h.alice),
        grpc.StatusCode.INVALID_ARGUMENT,
        "DEPTH_RANGE_REVERSED",
    )
    await expect_error(
        h.stub.QueryFrames(frames_request(ds.id, depth_min=float("nan")), metadata=h.alice),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_DEPTH_BOUND",
    )
    await expect_error(
        h.stub.QueryFrames(frames_request(ds.id, frame_height=65), metadata=h.alice),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_ROW_HEIGHT",
    )


async def test_without_dataset_id_the_callers_newest_dataset_is_used(depthframe):
    h = depthframe
    await create(h.stub, h.alice, SAMPLE, name="old")
    newest = await create(h.stub, h.alice, make_depth_csv(rows=11, width=200, seed=1), name="new")
    reply = await h.stub.QueryFrames(pb.QueryFramesRequest(), metadata=h.alice)
    assert reply.dataset_id == newest.id and len(reply.frames) == 10


async def test_range_too_large_for_one_answer(depthframe, auth_server, database):
    from .conftest import start_depthframe

    running, _ = await start_depthframe(database, auth_server, max_frames=50, max_image_rows=60)
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{running.port}")
    try:
        from imagemesh.depthframe.v1 import depthframe_pb2_grpc

        stub = depthframe_pb2_grpc.DepthFrameServiceStub(channel)
        ds = await create(stub, depthframe.alice, SAMPLE)
        await expect_error(
            stub.QueryFrames(frames_request(ds.id), metadata=depthframe.alice),
            grpc.StatusCode.INVALID_ARGUMENT,
            "DEPTH_RANGE_TOO_LARGE",
        )
        ok = await stub.QueryFrames(frames_request(ds.id, depth_max=9005.0), metadata=depthframe.alice)
        assert len(ok.frames) == 50
        await expect_error(
            stub.GetFrameImage(pb.GetFrameImageRequest(dataset_id=ds.id), metadata=depthframe.alice),
            grpc.StatusCode.INVALID_ARGUMENT,
            "DEPTH_RANGE_TOO_LARGE",
        )
    finally:
        await channel.close()
        await running.stop(0)


async def test_strip_image_decodes_to_the_right_size_and_colors(depthframe):
    h = depthframe
    ds = await create(h.stub, h.alice, SAMPLE)
    body = await h.stub.GetFrameImage(
        pb.GetFrameImageRequest(dataset_id=ds.id, depth_min=9001, depth_max=9010), metadata=h.alice
    )
    assert body.content_type == "image/png" and body.data[:8] == b"\x89PNG\r\n\x1a\n"
    image = decode_png_rgb(body.data)
    assert image.shape == (91, 150, 3)  # 9001.0 .. 9010.0 inclusive
    assert np.array_equal(image, apply_colormap(RESIZED[9:100], resolve_colormap(None), SCALE))
    tall = await h.stub.GetFrameImage(pb.GetFrameImageRequest(dataset_id=ds.id, row_height=3), metadata=h.alice)
    assert decode_png_rgb(tall.data).shape == (900, 150, 3)
    await expect_error(
        h.stub.GetFrameImage(pb.GetFrameImageRequest(dataset_id=ds.id, depth_min=1, depth_max=2), metadata=h.alice),
        grpc.StatusCode.INVALID_ARGUMENT,
        "EMPTY_DEPTH_RANGE",
    )


async def test_unknown_colormap_is_a_clear_error(depthframe):
    h = depthframe
    ds = await create(h.stub, h.alice, SAMPLE)
    err = await expect_error(
        h.stub.QueryFrames(frames_request(ds.id, colormap="rainbow-unicorn"), metadata=h.alice),
        grpc.StatusCode.INVALID_ARGUMENT,
        "UNKNOWN_COLORMAP",
    )
    assert "viridis" in err.details()
    await expect_error(
        h.stub.GetFrameImage(pb.GetFrameImageRequest(dataset_id=ds.id, colormap="x" * 500), metadata=h.alice),
        grpc.StatusCode.INVALID_ARGUMENT,
        "UNKNOWN_COLORMAP",
    )


STOPS = [pb.ColorStop(position=0, color="#000000"), pb.ColorStop(position=1, color="#FF8000")]


async def test_custom_colormaps_belong_to_their_owner(depthframe):
    h = depthframe
    ds = await create(h.stub, h.alice, SAMPLE)
    made = await h.stub.CreateColormap(
        pb.CreateColormapRequest(colormap=pb.Colormap(name="ember", stops=STOPS)), metadata=h.alice
    )
    assert made.colormap.name == "ember" and not made.colormap.builtin
    assert made.colormap.stops[1].color == "#ff8000" and made.colormap.colors[0] == "#000000"
    assert len(made.colormap.colors) == 256 and made.colormap.colors[-1] == "#ff8000"
    body = await h.stub.GetFrameImage(pb.GetFrameImageRequest(dataset_id=ds.id, colormap="ember"), metadata=h.alice)
    ember = make_custom_colormap("ember", [{"position": 0, "color": "#000000"}, {"position": 1, "color": "#ff8000"}])
    assert np.array_equal(decode_png_rgb(body.data), apply_colormap(RESIZED, ember, SCALE))
    await expect_error(
        h.stub.CreateColormap(
            pb.CreateColormapRequest(colormap=pb.Colormap(name="ember", stops=STOPS)), metadata=h.alice
        ),
        grpc.StatusCode.ALREADY_EXISTS,
        "COLORMAP_EXISTS",
    )
    # Bob cannot use Alice's map, and may define his own of the same name.
    bob_ds = await create(h.stub, h.bob, SAMPLE)
    await expect_error(
        h.stub.QueryFrames(frames_request(bob_ds.id, colormap="ember"), metadata=h.bob),
        grpc.StatusCode.INVALID_ARGUMENT,
        "UNKNOWN_COLORMAP",
    )
    await h.stub.CreateColormap(
        pb.CreateColormapRequest(
            colormap=pb.Colormap(
                name="ember",
                stops=[pb.ColorStop(position=0, color="#ffffff"), pb.ColorStop(position=1, color="#000000")],
            )
        ),
        metadata=h.bob,
    )


@pytest.mark.parametrize(
    ("colormap", "why"),
    [
        (pb.Colormap(name="viridis", stops=STOPS), "COLORMAP_NAME_RESERVED"),
        (pb.Colormap(name="Bad Name", stops=STOPS), "INVALID_COLORMAP_NAME"),
        (pb.Colormap(name="", stops=STOPS), "INVALID_COLORMAP_NAME"),
        (pb.Colormap(name="one", stops=STOPS[:1]), "INVALID_COLOR_STOPS"),
        (pb.Colormap(name="back", stops=STOPS[::-1]), "INVALID_COLOR_STOPS"),
        (pb.Colormap(name="red", stops=[STOPS[0], pb.ColorStop(position=1, color="red")]), "INVALID_COLOR"),
        (pb.Colormap(name="far", stops=[STOPS[0], pb.ColorStop(position=1.5, color="#ffffff")]), "INVALID_COLOR_STOPS"),
    ],
)
async def test_bad_colormaps_are_refused(depthframe, colormap, why):
    h = depthframe
    await expect_error(
        h.stub.CreateColormap(pb.CreateColormapRequest(colormap=colormap), metadata=h.alice),
        grpc.StatusCode.INVALID_ARGUMENT,
        why,
    )


async def test_list_colormaps_builtins_first_then_the_callers_by_name(depthframe):
    h = depthframe
    for name in ("zeta", "alpha"):
        await h.stub.CreateColormap(
            pb.CreateColormapRequest(colormap=pb.Colormap(name=name, stops=STOPS)), metadata=h.alice
        )
    await h.stub.CreateColormap(
        pb.CreateColormapRequest(colormap=pb.Colormap(name="bobs", stops=STOPS)), metadata=h.bob
    )
    names, token = [], ""
    while True:
        page = await h.stub.ListColormaps(pb.ListColormapsRequest(page_size=4, page_token=token), metadata=h.alice)
        names += [c.name for c in page.colormaps]
        token = page.next_page_token
        if not token:
            break
    assert names[0] == "imagemesh-depth" and names[-2:] == ["alpha", "zeta"] and "bobs" not in names
    assert {"viridis", "magma", "inferno", "plasma", "jet", "gray"} <= set(names)
    assert len(names) == len(set(names))
    await expect_error(
        h.stub.ListColormaps(pb.ListColormapsRequest(page_token="bm9wZQ"), metadata=h.alice),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_PAGE_TOKEN",
    )
