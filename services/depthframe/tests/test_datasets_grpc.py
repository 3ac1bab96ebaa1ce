"""Datasets over a real gRPC channel, on SQLite and PostgreSQL: ingest, read back, bad input, isolation."""

from __future__ import annotations

import grpc
import numpy as np
import pytest
from sqlalchemy import func, select

from imagemesh.depthframe.v1 import depthframe_pb2 as pb
from imagemesh_kit.grpc_errors import error_info
from services.depthframe.domain import parse_depth_csv
from services.depthframe.sample_data.depth_log import make_depth_csv
from services.depthframe.store import repository as repo
from services.depthframe.store.models import DatasetRow, DepthRow

from .conftest import bearer
from .csv_samples import area_resize_reference, csv_bytes
from .grpc_helpers import create, expect_error, upload_messages

pytestmark = pytest.mark.integration

SAMPLE = make_depth_csv(rows=301, width=200, seed=3)  # 300 rows + the empty last row, like the real file


async def stored_rows(h, dataset_id: str) -> tuple[list[float], np.ndarray, np.ndarray]:
    async with h.use_cases._sessions() as session:
        depths, resized = await repo.rows_in_range(session, dataset_id, None, None)
        _, original = await repo.original_rows(session, dataset_id)
    ds = await h.stub.GetDepthDataset(pb.GetDepthDatasetRequest(id=dataset_id), metadata=h.alice)
    width, source = ds.dataset.width, ds.dataset.source_width
    return (
        depths,
        np.frombuffer(b"".join(resized), np.uint8).reshape(-1, width),
        np.frombuffer(b"".join(original), np.uint8).reshape(-1, source),
    )


async def count(h, model) -> int:
    async with h.use_cases._sessions() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def test_round_trip_equals_an_independent_area_resize(depthframe):
    h = depthframe
    ds = await create(h.stub, h.alice, SAMPLE, name="  well 7 ")
    expected = parse_depth_csv(SAMPLE)
    assert (ds.name, ds.rows, ds.source_width, ds.width) == ("well 7", 300, 200, 150)
    assert ds.skipped_count == 1 and ds.skipped_rows[0].line == 302 and "empty" in ds.skipped_rows[0].reason
    assert (ds.depth_min, ds.depth_max) == (expected.depths[0], expected.depths[-1])
    depths, resized, original = await stored_rows(h, ds.id)
    assert depths == expected.depths.tolist()
    assert np.array_equal(resized, area_resize_reference(expected.pixels, 150))
    assert np.array_equal(original, expected.pixels)
    assert (ds.color_min, ds.color_max) == (int(resized.min()), int(resized.max()))
    assert ds.created_at.seconds > 0


async def test_width_option_and_wider_than_source_is_refused(depthframe):
    h = depthframe
    ds = await create(h.stub, h.alice, SAMPLE, width=37)
    _, resized, _ = await stored_rows(h, ds.id)
    assert resized.shape == (300, 37)
    assert np.abs(resized.astype(int) - area_resize_reference(parse_depth_csv(SAMPLE).pixels, 37)).max() <= 1
    await expect_error(
        create(h.stub, h.alice, SAMPLE, width=201), grpc.StatusCode.INVALID_ARGUMENT, "WIDTH_EXCEEDS_SOURCE"
    )


async def test_streamed_upload_stores_the_same_as_the_unary_call(depthframe):
    h = depthframe
    reply = await h.stub.UploadDepthDataset(upload_messages(SAMPLE, chunk=1000), metadata=h.alice)
    unary = await create(h.stub, h.alice, SAMPLE)
    assert reply.dataset.rows == unary.rows == 300 and reply.dataset.name == "big"
    a, b = await stored_rows(h, reply.dataset.id), await stored_rows(h, unary.id)
    assert a[0] == b[0] and np.array_equal(a[1], b[1]) and np.array_equal(a[2], b[2])


async def test_streamed_upload_limits(depthframe):
    h = depthframe
    big = SAMPLE * (h.settings.max_upload_bytes // len(SAMPLE) + 1)
    await expect_error(
        h.stub.UploadDepthDataset(upload_messages(big), metadata=h.alice),
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        "UPLOAD_TOO_LARGE",
    )
    await expect_error(
        h.stub.UploadDepthDataset(iter(()), metadata=h.alice), grpc.StatusCode.INVALID_ARGUMENT, "NAME_REQUIRED"
    )
    await expect_error(
        h.stub.UploadDepthDataset(upload_messages(b""), metadata=h.alice),
        grpc.StatusCode.INVALID_ARGUMENT,
        "EMPTY_FILE",
    )


BAD = [
    (csv_bytes(["1,1,2,3", "2,1,x,3"]), "NOT_A_NUMBER", "3", "3"),
    (csv_bytes(["1,1,2,3", "2,1,2"]), "WRONG_COLUMN_COUNT", "3", "4"),
    (csv_bytes(["1,1,2,3", "2,1,2,3,4"]), "WRONG_COLUMN_COUNT", "3", "5"),
    (csv_bytes(["1,1,2,3", "1.0,4,5,6"]), "DUPLICATE_DEPTH", "3", "1"),
    (csv_bytes(["1,1,2,3", "2,1,256,3"]), "PIXEL_OUT_OF_RANGE", "3", "3"),
    (csv_bytes(["1,1,-1,3"]), "PIXEL_OUT_OF_RANGE", "2", "3"),
    (csv_bytes(["1,1,2.5,3"]), "NON_INTEGER_PIXEL", "2", "3"),
    (b"depth,a,b\n1,2,3\n", "BAD_HEADER", None, None),
    (b"", "EMPTY_FILE", None, None),
    (csv_bytes([",,,", ""]), "NO_DATA_ROWS", None, None),
]


@pytest.mark.parametrize(("csv", "why", "line", "column"), BAD)
async def test_bad_csv_fails_naming_line_and_column_and_stores_nothing(depthframe, csv, why, line, column):
    h = depthframe
    err = await expect_error(create(h.stub, h.alice, csv, width=2), grpc.StatusCode.INVALID_ARGUMENT, why)
    info = error_info(err)
    if line is not None:
        assert info.metadata["line"] == line and f"line {line}" in err.details()
    if column is not None:
        assert info.metadata["column"] == column
    assert await count(h, DatasetRow) == 0 and await count(h, DepthRow) == 0


async def test_a_failure_while_storing_leaves_nothing_behind(depthframe, monkeypatch):
    """The dataset row and its depth rows are one transaction: a failing bulk insert rolls both back."""
    h = depthframe

    async def fail_half_way(session, dataset_id, keys, *args, **kwargs):
        await real(session, dataset_id, keys[:10], *(a[:10] for a in args), **kwargs)
        raise RuntimeError("disk full")

    real = repo.insert_rows
    monkeypatch.setattr(repo, "insert_rows", fail_half_way)
    err = await expect_error(create(h.stub, h.alice, SAMPLE), grpc.StatusCode.INTERNAL, "INTERNAL")
    assert "disk" not in err.details()
    monkeypatch.undo()
    assert await count(h, DatasetRow) == 0 and await count(h, DepthRow) == 0


@pytest.mark.parametrize(
    ("name", "content_type", "why"),
    [
        ("", "text/csv", "NAME_REQUIRED"),
        ("x" * 201, "text/csv", "INVALID_NAME"),
        ("a\nb", "text/csv", "INVALID_NAME"),
        ("ok", "application/json", "UNSUPPORTED_CONTENT_TYPE"),
        ("ok", "image/png", "UNSUPPORTED_CONTENT_TYPE"),
    ],
)
async def test_bad_request_fields(depthframe, name, content_type, why):
    h = depthframe
    await expect_error(
        create(h.stub, h.alice, SAMPLE, name=name, content_type=content_type), grpc.StatusCode.INVALID_ARGUMENT, why
    )


async def test_csv_content_type_with_charset_is_accepted(depthframe):
    ds = await create(depthframe.stub, depthframe.alice, SAMPLE, content_type="text/csv; charset=utf-8")
    assert ds.rows == 300


async def test_list_pages_newest_first_and_only_the_callers(depthframe):
    h = depthframe
    ids = [(await create(h.stub, h.alice, csv_bytes(["1,1,2,3"]), name=f"d{i}", width=3)).id for i in range(5)]
    await create(h.stub, h.bob, csv_bytes(["1,1,2,3"]), name="bob's", width=3)
    seen, token = [], ""
    while True:
        page = await h.stub.ListDepthDatasets(
            pb.ListDepthDatasetsRequest(page_size=2, page_token=token), metadata=h.alice
        )
        assert len(page.datasets) <= 2
        seen += [d.id for d in page.datasets]
        token = page.next_page_token
        if not token:
            break
    assert seen == ids[::-1]
    await expect_error(
        h.stub.ListDepthDatasets(pb.ListDepthDatasetsRequest(page_token="garbage"), metadata=h.alice),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_PAGE_TOKEN",
    )
    await expect_error(
        h.stub.ListDepthDatasets(pb.ListDepthDatasetsRequest(page_size=-1), metadata=h.alice),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_PAGE_SIZE",
    )


async def test_other_users_dataset_is_not_found_everywhere(depthframe):
    h = depthframe
    ds = await create(h.stub, h.alice, SAMPLE)
    nf = grpc.StatusCode.NOT_FOUND
    await expect_error(
        h.stub.GetDepthDataset(pb.GetDepthDatasetRequest(id=ds.id), metadata=h.bob), nf, "DATASET_NOT_FOUND"
    )
    await expect_error(
        h.stub.DeleteDepthDataset(pb.DeleteDepthDatasetRequest(id=ds.id), metadata=h.bob), nf, "DATASET_NOT_FOUND"
    )
    await expect_error(
        h.stub.QueryFrames(pb.QueryFramesRequest(dataset_id=ds.id), metadata=h.bob), nf, "DATASET_NOT_FOUND"
    )
    await expect_error(
        h.stub.GetFrameImage(pb.GetFrameImageRequest(dataset_id=ds.id), metadata=h.bob), nf, "DATASET_NOT_FOUND"
    )
    # Bob has no dataset of his own: the "newest dataset" default does not fall back to Alice's.
    await expect_error(h.stub.QueryFrames(pb.QueryFramesRequest(), metadata=h.bob), nf, "NO_DATASET")
    # Unknown and malformed ids look the same as someone else's.
    for bad in ("00000000-0000-0000-0000-000000000000", "x" * 300, "../etc"):
        await expect_error(
            h.stub.GetDepthDataset(pb.GetDepthDatasetRequest(id=bad), metadata=h.alice), nf, "DATASET_NOT_FOUND"
        )
    await expect_error(
        h.stub.GetDepthDataset(pb.GetDepthDatasetRequest(), metadata=h.alice),
        grpc.StatusCode.INVALID_ARGUMENT,
        "ID_REQUIRED",
    )
    # Admins may read any user's dataset.
    got = await h.stub.GetDepthDataset(pb.GetDepthDatasetRequest(id=ds.id), metadata=h.admin)
    assert got.dataset.id == ds.id


async def test_delete_removes_the_dataset_and_its_rows(depthframe):
    h = depthframe
    keep = await create(h.stub, h.alice, SAMPLE, name="keep")
    gone = await create(h.stub, h.alice, SAMPLE, name="gone")
    await h.stub.QueryFrames(pb.QueryFramesRequest(dataset_id=gone.id), metadata=h.alice)  # cached render
    await h.stub.DeleteDepthDataset(pb.DeleteDepthDatasetRequest(id=gone.id), metadata=h.alice)
    assert await count(h, DepthRow) == keep.rows
    for call in (
        h.stub.GetDepthDataset(pb.GetDepthDatasetRequest(id=gone.id), metadata=h.alice),
        h.stub.QueryFrames(pb.QueryFramesRequest(dataset_id=gone.id), metadata=h.alice),
        h.stub.DeleteDepthDataset(pb.DeleteDepthDatasetRequest(id=gone.id), metadata=h.alice),
    ):
        await expect_error(call, grpc.StatusCode.NOT_FOUND, "DATASET_NOT_FOUND")


async def test_tokens_are_required_and_checked(depthframe):
    h = depthframe
    await expect_error(
        h.stub.ListDepthDatasets(pb.ListDepthDatasetsRequest()), grpc.StatusCode.UNAUTHENTICATED, "TOKEN_MISSING"
    )
    with pytest.raises(grpc.aio.AioRpcError) as exc:
        await h.stub.ListDepthDatasets(pb.ListDepthDatasetsRequest(), metadata=bearer("not.a.jwt"))
    assert exc.value.code() == grpc.StatusCode.UNAUTHENTICATED
