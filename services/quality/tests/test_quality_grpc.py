"""QualityService over a real gRPC channel, with real auth and storage services (SQLite and PostgreSQL)."""

from __future__ import annotations

import math

import grpc
import numpy as np
import pytest

from imagemesh.quality.v1 import quality_pb2 as q
from imagemesh.storage.v1 import storage_pb2
from services.quality.tests.harness import decode_png
from services.quality.tests.images import add_noise, blur, flat, photo
from services.storage.tests.harness import expect_error

pytestmark = pytest.mark.integration

ALL_ASPECTS = {"sharpness", "noise", "contrast", "exposure", "colorfulness", "compression", "brisque", "niqe"}


def crop(name: str, size: int = 160) -> np.ndarray:
    img = photo(name)
    return np.ascontiguousarray(img[:size, :size])


async def own_images(quality, user, kind: str = "") -> list:
    reply = await quality.storage.stub.ListImages(storage_pb2.ListImagesRequest(kind=kind), metadata=user.md)
    return list(reply.images)


# -- assess --------------------------------------------------------------------------------------


async def test_assess_reports_every_aspect_with_known_answers(quality):
    user = await quality.user()
    flat_id = await quality.image(user, flat(128, (96, 96)))
    noisy_id = await quality.image(user, add_noise(flat(128, (128, 128)), 10.0))

    reply = await quality.stub.AssessImage(q.AssessImageRequest(image_id=flat_id), metadata=user.md)
    report = reply.report
    assert reply.image_id == flat_id
    assert (report.width, report.height) == (96, 96)
    assert report.sharpness == pytest.approx(0.0, abs=1e-6)
    assert report.noise_sigma == pytest.approx(0.0, abs=1e-6)
    assert {a.name for a in report.aspects} == ALL_ASPECTS
    assert all(a.reason and 0.0 <= a.score <= 100.0 for a in report.aspects)
    assert 0.0 <= report.overall <= 100.0

    noisy = (await quality.stub.AssessImage(q.AssessImageRequest(image_id=noisy_id), metadata=user.md)).report
    assert noisy.noise_sigma == pytest.approx(10.0, rel=0.05)


async def test_assess_gray_rgba_and_16_bit_png_inputs(quality):
    user = await quality.user()
    gray = crop("camera")
    rgb = crop("astronaut")
    rgba = np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])
    gray16 = gray.astype(np.uint16) * 257
    reports = {}
    for name, pixels in {"gray": gray, "rgb": rgb, "rgba": rgba, "gray16": gray16}.items():
        image_id = await quality.image(user, pixels, filename=f"{name}.png")
        reply = await quality.stub.AssessImage(q.AssessImageRequest(image_id=image_id), metadata=user.md)
        reports[name] = reply.report
        assert (reply.report.width, reply.report.height) == (160, 160)
    assert reports["gray"].colorfulness == 0.0
    assert reports["rgba"].sharpness == pytest.approx(reports["rgb"].sharpness, rel=1e-3)  # opaque alpha
    assert reports["gray16"].sharpness == pytest.approx(reports["gray"].sharpness, rel=0.02)
    assert reports["gray16"].contrast == pytest.approx(reports["gray"].contrast, rel=0.01)


# -- enhance -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["rgb", "gray16", "rgba"])
async def test_enhance_level_zero_stores_an_identical_derived_image(quality, kind):
    user = await quality.user()
    rgb = crop("astronaut", 96)
    pixels = {
        "rgb": rgb,
        "gray16": crop("camera", 96).astype(np.uint16) * 257,
        "rgba": np.dstack([rgb, np.full(rgb.shape[:2], 180, np.uint8)]),
    }[kind]
    source = await quality.image(user, pixels)
    reply = await quality.stub.EnhanceImage(q.EnhanceImageRequest(image_id=source, level=0.0), metadata=user.md)
    assert reply.image.kind == "enhanced"
    assert reply.image.source_image_id == source
    assert reply.image.content_type == "image/png"
    assert list(reply.enhancements_applied) == []
    assert reply.before == reply.after
    _, data = await quality.storage.download(user, reply.image.id)
    out = decode_png(data)
    assert out.dtype == pixels.dtype
    assert np.array_equal(out, pixels)


async def test_enhance_noisy_image_improves_without_worsening_targeted_aspects(quality):
    user = await quality.user()
    clean = crop("astronaut", 192)
    source = await quality.image(user, add_noise(clean, 20.0))
    reply = await quality.stub.EnhanceImage(
        q.EnhanceImageRequest(image_id=source, level=1.0, aspects=["noise", "sharpness"], request_id="enh-1"),
        metadata=user.md,
    )
    assert {s.aspect for s in reply.enhancements_applied} <= {"noise", "sharpness"}
    assert "noise" in {s.aspect for s in reply.enhancements_applied}
    before = {a.name: a.score for a in reply.before.aspects}
    after = {a.name: a.score for a in reply.after.aspects}
    for aspect in ("noise", "sharpness"):
        assert after[aspect] >= before[aspect] - 0.5
    assert reply.after.noise_sigma < reply.before.noise_sigma
    # a retry with the same request_id stores nothing new
    again = await quality.stub.EnhanceImage(
        q.EnhanceImageRequest(image_id=source, level=1.0, aspects=["noise", "sharpness"], request_id="enh-1"),
        metadata=user.md,
    )
    assert again.image.id == reply.image.id
    assert len(await own_images(quality, user, "enhanced")) == 1


async def test_request_ids_are_per_request_and_the_longest_fit_storage(quality):
    user = await quality.user()
    clean = crop("astronaut", 96)
    noisy = await quality.image(user, add_noise(clean, 15.0))
    rid = "r" * 64
    strong = await quality.stub.EnhanceImage(
        q.EnhanceImageRequest(image_id=noisy, level=1.0, request_id=rid), metadata=user.md
    )
    none = await quality.stub.EnhanceImage(
        q.EnhanceImageRequest(image_id=noisy, level=0.0, request_id=rid), metadata=user.md
    )
    assert strong.image.id != none.image.id  # other parameters: another request, not the first one's image
    ref = await quality.image(user, clean)
    comparison = (
        await quality.stub.CreateComparison(
            q.CreateComparisonRequest(image1_id=ref, image2_id=noisy, enhancement_level=1.0, request_id=rid),
            metadata=user.md,
        )
    ).comparison
    assert comparison.enhanced_image_id not in ("", strong.image.id, none.image.id)
    await expect_error(
        quality.stub.EnhanceImage(
            q.EnhanceImageRequest(image_id=noisy, level=1.0, request_id=rid + "x"), metadata=user.md
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_REQUEST_ID",
    )


@pytest.mark.parametrize(
    ("fields", "reason", "field"),
    [
        ({"level": -0.1}, "LEVEL_OUT_OF_RANGE", "level"),
        ({"level": 1.5}, "LEVEL_OUT_OF_RANGE", "level"),
        ({"level": math.nan}, "LEVEL_OUT_OF_RANGE", "level"),
        ({"level": 0.5, "aspects": ["sharpness", "vibes"]}, "UNKNOWN_ASPECT", "aspects"),
        ({"level": 0.5, "request_id": "no spaces allowed"}, "INVALID_REQUEST_ID", "request_id"),
    ],
)
async def test_enhance_refuses_bad_parameters_and_stores_nothing(quality, fields, reason, field):
    user = await quality.user()
    source = await quality.image(user, crop("astronaut", 64))
    err = await expect_error(
        quality.stub.EnhanceImage(q.EnhanceImageRequest(image_id=source, **fields), metadata=user.md),
        grpc.StatusCode.INVALID_ARGUMENT,
        reason,
    )
    assert f"{field}:" in err.details()
    assert await own_images(quality, user, "enhanced") == []


# -- comparisons ---------------------------------------------------------------------------------


async def test_compare_images_of_different_sizes_is_stored_and_readable(quality):
    user = await quality.user()
    reference = crop("astronaut", 160)
    ref_id = await quality.image(user, reference)
    small_id = await quality.image(user, np.ascontiguousarray(reference[::2, ::2]))
    created = (
        await quality.stub.CreateComparison(
            q.CreateComparisonRequest(image1_id=ref_id, image2_id=small_id), metadata=user.md
        )
    ).comparison
    assert created.resized is True
    assert "80x80" in created.size_note and "160x160" in created.size_note
    assert math.isfinite(created.psnr) and 10.0 < created.psnr < 60.0
    assert 0.0 < created.ssim < 1.0
    assert created.report1.width == 160 and created.report2.width == 80
    assert {d.name for d in created.differences} == ALL_ASPECTS | {"overall"}
    assert created.enhanced_image_id == "" and list(created.enhancements_applied) == []
    assert created.processing_time_ms > 0
    assert created.owner_id == user.id

    got = await quality.stub.GetComparison(q.GetComparisonRequest(comparison_id=created.id), metadata=user.md)
    assert got.comparison == created


async def test_compare_identical_images_and_level_zero(quality):
    user = await quality.user()
    pixels = crop("camera", 96)
    a = await quality.image(user, pixels, filename="a.png")
    b = await quality.image(user, pixels, filename="b.png")
    c = (
        await quality.stub.CreateComparison(q.CreateComparisonRequest(image1_id=a, image2_id=b), metadata=user.md)
    ).comparison
    assert c.psnr == math.inf
    assert c.ssim == pytest.approx(1.0)
    assert c.resized is False
    assert all(d.value_difference == 0.0 for d in c.differences)
    stored = await quality.stub.GetComparison(q.GetComparisonRequest(comparison_id=c.id), metadata=user.md)
    assert stored.comparison.psnr == math.inf


async def test_compare_with_enhancement_stores_the_enhanced_candidate_once(quality):
    user = await quality.user()
    clean = crop("astronaut", 192)
    ref_id = await quality.image(user, clean)
    cand_id = await quality.image(user, add_noise(blur(clean, 1.0), 15.0, seed=3))
    request = q.CreateComparisonRequest(image1_id=ref_id, image2_id=cand_id, enhancement_level=1.0, request_id="c-1")
    first = (await quality.stub.CreateComparison(request, metadata=user.md)).comparison
    assert first.enhancements_applied
    assert first.enhanced_image_id
    enhanced = (
        await quality.storage.stub.GetImage(
            storage_pb2.GetImageRequest(image_id=first.enhanced_image_id), metadata=user.md
        )
    ).image
    assert enhanced.kind == "enhanced" and enhanced.source_image_id == cand_id
    assert (enhanced.width, enhanced.height) == (192, 192)

    retry = (await quality.stub.CreateComparison(request, metadata=user.md)).comparison
    assert retry == first
    assert len(await own_images(quality, user, "enhanced")) == 1
    listed = await quality.stub.ListComparisons(q.ListComparisonsRequest(), metadata=user.md)
    assert [c.id for c in listed.comparisons] == [first.id]

    reused = q.CreateComparisonRequest(image1_id=ref_id, image2_id=cand_id, enhancement_level=0.5, request_id="c-1")
    await expect_error(
        quality.stub.CreateComparison(reused, metadata=user.md),
        grpc.StatusCode.FAILED_PRECONDITION,
        "REQUEST_ID_REUSED",
    )


@pytest.mark.parametrize("level", [-0.5, 1.01, math.inf])
async def test_compare_level_outside_0_1_is_refused(quality, level):
    user = await quality.user()
    a = await quality.image(user, crop("camera", 64))
    request = q.CreateComparisonRequest(image1_id=a, image2_id=a, enhancement_level=level)
    err = await expect_error(
        quality.stub.CreateComparison(request, metadata=user.md),
        grpc.StatusCode.INVALID_ARGUMENT,
        "LEVEL_OUT_OF_RANGE",
    )
    assert "enhancement_level" in err.details()


async def test_list_comparisons_pages_through_own_comparisons_only(quality):
    alice, bob = await quality.user(), await quality.user()
    a = await quality.image(alice, crop("camera", 64))
    ids = []
    for _ in range(3):
        reply = await quality.stub.CreateComparison(
            q.CreateComparisonRequest(image1_id=a, image2_id=a), metadata=alice.md
        )
        ids.append(reply.comparison.id)
    page1 = await quality.stub.ListComparisons(q.ListComparisonsRequest(page_size=2), metadata=alice.md)
    assert len(page1.comparisons) == 2 and page1.next_page_token
    page2 = await quality.stub.ListComparisons(
        q.ListComparisonsRequest(page_size=2, page_token=page1.next_page_token), metadata=alice.md
    )
    assert len(page2.comparisons) == 1 and page2.next_page_token == ""
    assert [c.id for c in [*page1.comparisons, *page2.comparisons]] == ids[::-1]  # newest first
    assert list((await quality.stub.ListComparisons(q.ListComparisonsRequest(), metadata=bob.md)).comparisons) == []
    await expect_error(
        quality.stub.ListComparisons(q.ListComparisonsRequest(page_token="garbage!"), metadata=alice.md),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_PAGE_TOKEN",
    )
    await expect_error(
        quality.stub.ListComparisons(q.ListComparisonsRequest(page_size=-1), metadata=alice.md),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_PAGE_SIZE",
    )


# -- bad ids, other users' resources, tokens, limits -----------------------------------------------


async def test_other_users_images_and_comparisons_are_not_found(quality):
    alice, bob = await quality.user(), await quality.user()
    mine = await quality.image(alice, crop("camera", 64))
    theirs = await quality.image(bob, crop("camera", 64))
    comparison = (
        await quality.stub.CreateComparison(
            q.CreateComparisonRequest(image1_id=theirs, image2_id=theirs), metadata=bob.md
        )
    ).comparison
    not_found = grpc.StatusCode.NOT_FOUND
    await expect_error(
        quality.stub.AssessImage(q.AssessImageRequest(image_id=theirs), metadata=alice.md),
        not_found,
        "IMAGE_NOT_FOUND",
    )
    await expect_error(
        quality.stub.EnhanceImage(q.EnhanceImageRequest(image_id=theirs, level=0.5), metadata=alice.md),
        not_found,
        "IMAGE_NOT_FOUND",
    )
    err = await expect_error(
        quality.stub.CreateComparison(q.CreateComparisonRequest(image1_id=mine, image2_id=theirs), metadata=alice.md),
        not_found,
        "IMAGE_NOT_FOUND",
    )
    assert "image2_id" in err.details()
    await expect_error(
        quality.stub.GetComparison(q.GetComparisonRequest(comparison_id=comparison.id), metadata=alice.md),
        not_found,
        "COMPARISON_NOT_FOUND",
    )
    # nothing half-written by the failed calls
    assert list((await quality.stub.ListComparisons(q.ListComparisonsRequest(), metadata=alice.md)).comparisons) == []
    assert await own_images(quality, alice, "enhanced") == []


@pytest.mark.parametrize(
    ("call", "code", "reason"),
    [
        (("AssessImage", q.AssessImageRequest(image_id="")), "INVALID_ARGUMENT", "IMAGE_ID_REQUIRED"),
        (("AssessImage", q.AssessImageRequest(image_id="no-such-image")), "NOT_FOUND", "IMAGE_NOT_FOUND"),
        (("AssessImage", q.AssessImageRequest(image_id="0" * 32)), "NOT_FOUND", "IMAGE_NOT_FOUND"),
        (("EnhanceImage", q.EnhanceImageRequest(image_id="", level=0.5)), "INVALID_ARGUMENT", "IMAGE_ID_REQUIRED"),
        (
            ("CreateComparison", q.CreateComparisonRequest(image1_id="", image2_id="x")),
            "INVALID_ARGUMENT",
            "IMAGE1_ID_REQUIRED",
        ),
        (
            ("CreateComparison", q.CreateComparisonRequest(image1_id="x", image2_id="")),
            "INVALID_ARGUMENT",
            "IMAGE2_ID_REQUIRED",
        ),
        (("GetComparison", q.GetComparisonRequest(comparison_id="")), "INVALID_ARGUMENT", "COMPARISON_ID_REQUIRED"),
        (("GetComparison", q.GetComparisonRequest(comparison_id="../etc")), "NOT_FOUND", "COMPARISON_NOT_FOUND"),
        (("GetComparison", q.GetComparisonRequest(comparison_id="0" * 32)), "NOT_FOUND", "COMPARISON_NOT_FOUND"),
    ],
)
async def test_bad_ids(quality, call, code, reason):
    user = await quality.user()
    method, request = call
    await expect_error(getattr(quality.stub, method)(request, metadata=user.md), grpc.StatusCode[code], reason)


async def test_tokens_are_required_and_verified(quality):
    user = await quality.user()
    image_id = await quality.image(user, crop("camera", 64))
    request = q.AssessImageRequest(image_id=image_id)
    await expect_error(quality.stub.AssessImage(request), grpc.StatusCode.UNAUTHENTICATED, "TOKEN_MISSING")
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await quality.stub.AssessImage(request, metadata=(("authorization", "Bearer not.a.jwt"),))
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_too_small_image_is_invalid(quality):
    user = await quality.user()
    tiny = await quality.image(user, crop("camera", 8))
    await expect_error(
        quality.stub.AssessImage(q.AssessImageRequest(image_id=tiny), metadata=user.md),
        grpc.StatusCode.INVALID_ARGUMENT,
        "IMAGE_TOO_SMALL",
    )


async def test_images_above_the_pixel_limit_are_refused(database, auth_server, tmp_path):
    from services.quality.tests.harness import start_quality

    async with start_quality(database, auth_server, tmp_path, max_image_pixels=64 * 64) as quality:
        user = await quality.user()
        big = await quality.image(user, crop("camera", 65))
        await expect_error(
            quality.stub.AssessImage(q.AssessImageRequest(image_id=big), metadata=user.md),
            grpc.StatusCode.RESOURCE_EXHAUSTED,
            "IMAGE_TOO_LARGE",
        )


async def test_a_comparison_that_cannot_be_recorded_leaves_no_enhanced_image(quality):
    from sqlalchemy import text

    user = await quality.user()
    clean = crop("astronaut", 96)
    ref = await quality.image(user, clean)
    cand = await quality.image(user, add_noise(clean, 15.0))
    use_cases = quality.running.app.servicers[0][1]._uc
    async with use_cases._sessions.begin() as session:  # the database loses its table: the insert fails
        await session.execute(text("DROP TABLE comparisons"))
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await quality.stub.CreateComparison(
            q.CreateComparisonRequest(image1_id=ref, image2_id=cand, enhancement_level=1.0), metadata=user.md
        )
    assert err.value.code() == grpc.StatusCode.INTERNAL
    assert await own_images(quality, user, "enhanced") == []


async def test_concurrent_retries_of_one_comparison_store_it_once(quality):
    import asyncio

    user = await quality.user()
    clean = crop("astronaut", 128)
    ref = await quality.image(user, clean)
    cand = await quality.image(user, add_noise(clean, 15.0))
    request = q.CreateComparisonRequest(image1_id=ref, image2_id=cand, enhancement_level=1.0, request_id="same")
    replies = await asyncio.gather(*(quality.stub.CreateComparison(request, metadata=user.md) for _ in range(3)))
    assert len({r.comparison.id for r in replies}) == 1
    assert len({r.comparison.enhanced_image_id for r in replies}) == 1
    assert len(await own_images(quality, user, "enhanced")) == 1
    listed = await quality.stub.ListComparisons(q.ListComparisonsRequest(), metadata=user.md)
    assert len(listed.comparisons) == 1


async def test_gray_input_enhanced_stays_gray_and_admins_read_any_comparison(quality):
    user, admin = await quality.user(), await quality.user("admin")
    gray = add_noise(crop("camera", 128), 20.0)
    source = await quality.image(user, gray)
    reply = await quality.stub.EnhanceImage(q.EnhanceImageRequest(image_id=source, level=1.0), metadata=user.md)
    assert reply.enhancements_applied
    _, data = await quality.storage.download(user, reply.image.id)
    out = decode_png(data)
    assert out.shape == gray.shape and out.dtype == np.uint8
    assert reply.after.colorfulness == 0.0
    comparison = (
        await quality.stub.CreateComparison(
            q.CreateComparisonRequest(image1_id=source, image2_id=source), metadata=user.md
        )
    ).comparison
    got = await quality.stub.GetComparison(q.GetComparisonRequest(comparison_id=comparison.id), metadata=admin.md)
    assert got.comparison.id == comparison.id
    mine = await quality.stub.ListComparisons(q.ListComparisonsRequest(), metadata=admin.md)
    assert list(mine.comparisons) == []  # the list is the caller's own
