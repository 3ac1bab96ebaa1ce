/* MSCN coefficients in one pass (services/quality/domain/metrics/natural_scene.py's `mscn` has the definition and
 * the OpenCV form): with a separable window W (the `taps`, odd count) applied across and down,
 *     mu = W*I, sigma = sqrt(|W*(I^2) - mu^2|), coeffs = (I - mu) / (sigma + c)
 * the border either zeros (BRISQUE's convention) or the edge pixel replicated (NIQE's).
 *
 * In double precision, as the published (MATLAB) code, and exactly 0 where the window is flat: there I - mu is 0
 * and any value computed for it is rounding - which the AGGD fits of a flat block then describe (NIQE of a JPEG at
 * quality 30, whose 8x8 blocks are flat, moved by up to 2.7 between two summation orders). "Flat" allows for the
 * float32 image's own rounding (FLAT below). The image is float32; the maps are written as float32.
 *
 * Rows are streamed: each source row is padded, filtered across (I and I^2) into a ring of the last ntaps rows, and
 * each output row takes the window down that ring and finishes the map - where the OpenCV form ran two filters and
 * six whole-image passes. The loops are built for x86-64-v3 and plain x86-64 (vector8.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vector8.h"

#define MAX_TAPS 31
#define DLANES 4 /* doubles in a v4d */
/* |I - mu| at most this fraction of |I| (2^-21, four float32 steps) is rounding: a flat window, whose coefficient is
 * 0. The float32 image's own rounding is below it (a flat 2 MP region downscaled to 768 px spreads over 3.3e-7);
 * one 8-bit step at the window's corner (tap product 1.58e-4) is above it even where I = 1 (6.2e-7). See
 * natural_scene.FLAT. */
#define FLAT 4.76837158203125e-7

/* the window across one padded row of I and of I^2, two vectors at a time (the buffers have room) */
CLONES static void window_across(const double *padded, const double *squares, const double *taps, size_t ntaps,
                                 size_t vectors, double *mean_row, double *square_row) {
    v4d w[MAX_TAPS];
    for (size_t t = 0; t < ntaps; t++) w[t] = splat4d(taps[t]);
    for (size_t k = 0; k < vectors * DLANES; k += 2 * DLANES) {
        v4d a = splat4d(0.0), s = a, a2 = a, s2 = a;
        for (size_t t = 0; t < ntaps; t++) {
            a += w[t] * load4d(padded + k + t);
            s += w[t] * load4d(squares + k + t);
            a2 += w[t] * load4d(padded + k + DLANES + t);
            s2 += w[t] * load4d(squares + k + DLANES + t);
        }
        store4d(mean_row + k, a);
        store4d(square_row + k, s);
        store4d(mean_row + k + DLANES, a2);
        store4d(square_row + k + DLANES, s2);
    }
}

static inline v4d widen(const float *p) { return (v4d){p[0], p[1], p[2], p[3]}; }

/* the window down the ring's rows, then sigma and the coefficients of one output row: whole vectors into
 * `coeffs` and `sigma` (float rows), the last partial one through a small buffer; `src` has room for whole vectors */
CLONES static void finish_row(const double *const *means, const double *const *squares, const double *taps,
                              size_t ntaps, const float *src, size_t cols, double c, float *coeffs, float *sigma) {
    v4d w[MAX_TAPS];
    for (size_t t = 0; t < ntaps; t++) w[t] = splat4d(taps[t]);
    const v4d kc = splat4d(c), flat = splat4d(FLAT);
    for (size_t k = 0; k < cols; k += 2 * DLANES) {
        v4d mu[2] = {splat4d(0.0), splat4d(0.0)}, s[2] = {mu[0], mu[0]};
        for (size_t t = 0; t < ntaps; t++) {
            mu[0] += w[t] * load4d(means[t] + k);
            s[0] += w[t] * load4d(squares[t] + k);
            mu[1] += w[t] * load4d(means[t] + k + DLANES);
            s[1] += w[t] * load4d(squares[t] + k + DLANES);
        }
        double var[2 * DLANES];
        store4d(var, abs4d(s[0] - mu[0] * mu[0]));
        store4d(var + DLANES, abs4d(s[1] - mu[1] * mu[1]));
        for (int i = 0; i < 2 * DLANES; i++) var[i] = sqrt(var[i]); /* -fno-math-errno: vectorises */
        float cf[2 * DLANES], sd[2 * DLANES];
        for (int h = 0; h < 2; h++) {
            v4d x = widen(src + k + h * DLANES), d = x - mu[h], root = load4d(var + h * DLANES);
            d = (v4d)((v4l)d & (abs4d(d) > flat * abs4d(x))); /* a flat window: exactly 0 */
            v4d q = d / (root + kc);
            for (int i = 0; i < DLANES; i++) {
                cf[h * DLANES + i] = (float)q[i];
                sd[h * DLANES + i] = (float)root[i];
            }
        }
        const size_t n = cols - k < 2 * DLANES ? cols - k : 2 * DLANES;
        memcpy(coeffs + k, cf, n * sizeof(float));
        memcpy(sigma + k, sd, n * sizeof(float));
    }
}

/* one padded row in double, and its squares: the source row at `pad`, the border (zeros or the edge pixel) on both
 * sides */
CLONES static void pad_row(const float *row, size_t cols, size_t pad, int zero_border, double *padded,
                           double *squares) {
    for (size_t j = 0; j < cols; j++) padded[pad + j] = row[j];
    for (size_t j = 0; j < pad; j++) {
        padded[j] = zero_border ? 0.0 : row[0];
        padded[pad + cols + j] = zero_border ? 0.0 : row[cols - 1];
    }
    for (size_t j = 0; j < cols + 2 * pad; j++) squares[j] = padded[j] * padded[j];
}

/* MSCN of a rows x cols float image (row stride in floats) into `coeffs` and `sigma` (rows x cols, contiguous):
 * 0, -1 when memory runs out, -2 for a window over MAX_TAPS. zero_border: 1 pads with zeros, 0 replicates the edge. */
int mscn_f32(const float *image, size_t rows, size_t cols, size_t stride, const double *taps, size_t ntaps,
             int zero_border, double c, float *coeffs, float *sigma) {
    if (ntaps > MAX_TAPS) return -2;
    if (rows == 0 || cols == 0 || ntaps == 0) return 0;
    /* whole vectors per row, rounded up to an even count (the loops take two at a time) */
    const size_t vectors = ((cols + 2 * DLANES - 1) / (2 * DLANES)) * 2, pad = ntaps / 2;
    const size_t span = vectors * DLANES + DLANES, padded_len = span + 2 * pad;
    /* ring of filtered rows (I, I^2), a zero row, the padded source row and its squares, and the source row with
     * room for whole vectors */
    double *buf = calloc(span * (2 * ntaps + 1) + 2 * padded_len, sizeof(double));
    float *src = calloc(span, sizeof(float));
    const double **ptrs = malloc(2 * ntaps * sizeof *ptrs);
    if (!buf || !src || !ptrs) {
        free(buf);
        free(src);
        free(ptrs);
        return -1;
    }
    double *ring_mean = buf, *ring_sq = ring_mean + span * ntaps, *zero = ring_sq + span * ntaps;
    double *padded = zero + span, *padded_sq = padded + padded_len;
    const double **means = ptrs, **squares = ptrs + ntaps;
    size_t computed = 0; /* source rows filtered across so far */
    for (size_t r = 0; r < rows; r++) {
        const size_t last = r + pad < rows ? r + pad : rows - 1;
        for (; computed <= last; computed++) {
            pad_row(image + computed * stride, cols, pad, zero_border, padded, padded_sq);
            const size_t slot = (computed % ntaps) * span;
            window_across(padded, padded_sq, taps, ntaps, vectors, ring_mean + slot, ring_sq + slot);
        }
        for (size_t t = 0; t < ntaps; t++) {
            long s = (long)r - (long)pad + (long)t;
            if (s < 0 || s >= (long)rows) {
                if (zero_border) {
                    means[t] = squares[t] = zero;
                    continue;
                }
                s = s < 0 ? 0 : (long)rows - 1;
            }
            const size_t slot = ((size_t)s % ntaps) * span;
            means[t] = ring_mean + slot;
            squares[t] = ring_sq + slot;
        }
        memcpy(src, image + r * stride, cols * sizeof(float));
        finish_row(means, squares, taps, ntaps, src, cols, c, coeffs + r * cols, sigma + r * cols);
    }
    free(buf);
    free(src);
    free(ptrs);
    return 0;
}
