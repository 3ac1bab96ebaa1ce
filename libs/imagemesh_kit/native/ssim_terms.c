/* SSIM's sum over an image in one pass (services/quality/domain/fidelity.py has the definition and the
 * OpenCV/numpy form): with a separable window W (the `taps`, odd count, applied down and across),
 *     ux = W*x, uy = W*y, v = W*(x^2 + y^2), vxy = W*(x y)
 *     map = ((2 ux uy + c1) (2 cov_norm (vxy - ux uy) + c2)) / ((ux^2 + uy^2 + c1) (cov_norm (v - ux^2 - uy^2) + c2))
 * summed (in float64) over the interior: the pixels with pad = ntaps / 2 pixels of context on every side, which is all
 * skimage averages over - so no border rule is needed. Channels are interleaved; each is windowed on its own. Used
 * for the Gaussian window (see ssim_window_sum).
 *
 * Rows are streamed: a ring of the last ntaps rows' x^2 + y^2 and x y; for each output row the four window sums down
 * the columns, then across. The form with OpenCV's filters wrote and read eight planes per band of rows; this keeps
 * a few rows in cache. float32 throughout (OpenCV filters float32 too, across first: the sums agree to float
 * rounding). The loops are built for x86-64-v3 and plain x86-64 (vector8.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vector8.h"

#define MAX_TAPS 63 /* the window's taps are broadcast once per row, into this many vectors at most */

/* x^2 + y^2 and x y of one row (whole vectors: the buffers have room) */
CLONES static void squares_products(const float *x, const float *y, size_t vectors, float *sq, float *pr) {
    for (size_t k = 0; k < vectors * LANES; k += LANES) {
        v8f a = load(x + k), b = load(y + k);
        store(sq + k, a * a + b * b);
        store(pr + k, a * b);
    }
}

/* the window down the columns: out[m][j] = sum_t taps[t] rows_m[t][j] for the four planes m; two vectors at a time
 * (eight independent sums keep the FMA units busy where four wait on each other), the last one alone */
CLONES static void window_down(const float *const *xs, const float *const *ys, const float *const *sqs,
                               const float *const *prs, const float *taps, size_t ntaps, size_t vectors, float *ux,
                               float *uy, float *v, float *vxy) {
    v8f w[MAX_TAPS];
    for (size_t t = 0; t < ntaps; t++) w[t] = splat(taps[t]);
    size_t k = 0;
    for (; k + 2 * LANES <= vectors * LANES; k += 2 * LANES) {
        v8f a = splat(0.0f), b = a, s = a, p = a, a2 = a, b2 = a, s2 = a, p2 = a;
        for (size_t t = 0; t < ntaps; t++) {
            a += w[t] * load(xs[t] + k);
            b += w[t] * load(ys[t] + k);
            s += w[t] * load(sqs[t] + k);
            p += w[t] * load(prs[t] + k);
            a2 += w[t] * load(xs[t] + k + LANES);
            b2 += w[t] * load(ys[t] + k + LANES);
            s2 += w[t] * load(sqs[t] + k + LANES);
            p2 += w[t] * load(prs[t] + k + LANES);
        }
        store(ux + k, a);
        store(uy + k, b);
        store(v + k, s);
        store(vxy + k, p);
        store(ux + k + LANES, a2);
        store(uy + k + LANES, b2);
        store(v + k + LANES, s2);
        store(vxy + k + LANES, p2);
    }
    for (; k < vectors * LANES; k += LANES) {
        v8f a = splat(0.0f), b = a, s = a, p = a;
        for (size_t t = 0; t < ntaps; t++) {
            a += w[t] * load(xs[t] + k);
            b += w[t] * load(ys[t] + k);
            s += w[t] * load(sqs[t] + k);
            p += w[t] * load(prs[t] + k);
        }
        store(ux + k, a);
        store(uy + k, b);
        store(v + k, s);
        store(vxy + k, p);
    }
}

/* the window across the column sums at `at` (one vector), then the map there */
static inline v8f across_map(const float *ux, const float *uy, const float *v, const float *vxy, const v8f *w,
                             size_t ntaps, size_t channels, size_t at, v8f k1, v8f k2, v8f cov, v8f cov2) {
    v8f a = splat(0.0f), b = a, s = a, p = a;
    for (size_t t = 0; t < ntaps; t++) {
        size_t o = at + t * channels;
        a += w[t] * load(ux + o);
        b += w[t] * load(uy + o);
        s += w[t] * load(v + o);
        p += w[t] * load(vxy + o);
    }
    v8f uxy = a * b, means = a * a + b * b;
    v8f numerator = (uxy * 2.0f + k1) * ((p - uxy) * cov2 + k2);
    return numerator / ((means + k1) * ((s - means) * cov + k2));
}

/* the window across the column sums, then the map, summed: `count` interior values from float `first` on (each lane
 * summed in float64, in order; two vectors at a time where they are both whole) */
CLONES static double window_across_sum(const float *ux, const float *uy, const float *v, const float *vxy,
                                       const float *taps, size_t ntaps, size_t channels, size_t first, size_t count,
                                       float c1, float c2, float cov_norm) {
    double lanes[LANES] = {0};
    const v8f k1 = splat(c1), k2 = splat(c2), cov = splat(cov_norm), cov2 = splat(2.0f * cov_norm);
    v8f w[MAX_TAPS];
    for (size_t t = 0; t < ntaps; t++) w[t] = splat(taps[t]);
    const size_t start = first - (ntaps / 2) * channels;
    size_t k = 0;
    for (; k + 2 * LANES <= count; k += 2 * LANES) {
        float values[2 * LANES];
        store(values, across_map(ux, uy, v, vxy, w, ntaps, channels, start + k, k1, k2, cov, cov2));
        store(values + LANES, across_map(ux, uy, v, vxy, w, ntaps, channels, start + k + LANES, k1, k2, cov, cov2));
        for (int i = 0; i < LANES; i++) lanes[i] += values[i];
        for (int i = 0; i < LANES; i++) lanes[i] += values[LANES + i];
    }
    for (; k < count; k += LANES) {
        float values[LANES];
        store(values, across_map(ux, uy, v, vxy, w, ntaps, channels, start + k, k1, k2, cov, cov2));
        size_t valid = count - k < LANES ? count - k : LANES;
        for (size_t i = 0; i < valid; i++) lanes[i] += values[i];
    }
    double total = 0.0;
    for (int i = 0; i < LANES; i++) total += lanes[i];
    return total;
}

/* The SSIM map's sum over the interior of x and y: rows x cols pixels of `channels` interleaved floats, row strides in
 * floats; the window `taps` (ntaps odd, adding up to 1) down and across. 0 when there is no interior; NAN when memory
 * runs out. (Float32 sums suit a Gaussian window, as in OpenCV's GaussianBlur; a box window wants the float64 sums
 * OpenCV's blur keeps: the variance terms are small differences of large sums.) */
double ssim_window_sum(const float *x, size_t x_stride, const float *y, size_t y_stride, size_t rows, size_t cols,
                       size_t channels, const float *taps, size_t ntaps, float c1, float c2, float cov_norm) {
    const size_t pad = ntaps / 2, n = cols * channels;
    if (ntaps > MAX_TAPS) return NAN; /* fidelity.py never asks (NATIVE_MAX_TAPS) */
    if (ntaps == 0 || rows < ntaps || cols < ntaps) return 0.0;
    const size_t vectors = (n + LANES - 1) / LANES, span = vectors * LANES + LANES; /* zeros past each row */
    float *buf = calloc(span * (4 * ntaps + 4), sizeof(float));
    const float **ptrs = malloc(4 * ntaps * sizeof *ptrs);
    if (!buf || !ptrs) {
        free(buf);
        free(ptrs);
        return NAN;
    }
    float *ring_x = buf, *ring_y = ring_x + span * ntaps, *ring_sq = ring_y + span * ntaps;
    float *ring_pr = ring_sq + span * ntaps, *ux = ring_pr + span * ntaps, *uy = ux + span, *v = uy + span;
    float *vxy = v + span;
    const float **xs = ptrs, **ys = ptrs + ntaps, **sqs = ptrs + 2 * ntaps, **prs = ptrs + 3 * ntaps;
    double total = 0.0;
    for (size_t r = 0; r < rows; r++) {
        const size_t slot = (r % ntaps) * span;
        memcpy(ring_x + slot, x + r * x_stride, n * sizeof(float));
        memcpy(ring_y + slot, y + r * y_stride, n * sizeof(float));
        squares_products(ring_x + slot, ring_y + slot, vectors, ring_sq + slot, ring_pr + slot);
        if (r + 1 < ntaps) continue;
        const size_t top = r + 1 - ntaps; /* the window's rows: top .. r */
        for (size_t t = 0; t < ntaps; t++) {
            const size_t at = ((top + t) % ntaps) * span;
            xs[t] = ring_x + at;
            ys[t] = ring_y + at;
            sqs[t] = ring_sq + at;
            prs[t] = ring_pr + at;
        }
        window_down(xs, ys, sqs, prs, taps, ntaps, vectors, ux, uy, v, vxy);
        total += window_across_sum(ux, uy, v, vxy, taps, ntaps, channels, pad * channels, (cols - 2 * pad) * channels,
                                   c1, c2, cov_norm);
    }
    free(buf);
    free(ptrs);
    return total;
}
