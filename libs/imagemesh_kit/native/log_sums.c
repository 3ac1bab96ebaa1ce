/* The sums behind the quality service's sharpness (services/quality/domain/metrics/sharpness.py has the definition
 * and the OpenCV form): over equally sized tiles, the response of a small Gaussian blur (the `taps`, odd count,
 * across then down) followed by the 4-neighbour Laplacian, kept `margin` pixels inside each tile's edge; out[0] its
 * sum, out[1] the sum of its squares, out[2] how many values.
 *
 * With margin >= ntaps / 2 + 1 every kept value reads only its own tile, so no border rule is needed (the caller
 * checks; -1 otherwise). Where the OpenCV form filtered a stack of the tiles twice and copied each tile's kept part
 * out to sum it, this streams each tile's rows through a ring: the blur across, the blur down, the Laplacian and the
 * sums (float32 lanes per row, float64 across rows). The loops are built for x86-64-v3 and plain x86-64 (vector8.h).
 *
 * tiles: `count` pointers to the tiles' first pixels, h x w float32 each, rows `stride` floats apart. */
#include <stdlib.h>
#include <string.h>

#include "vector8.h"

#define MAX_TAPS 31
#define GROUP (4 * LANES) /* floats the filter loops take at a time */

/* the window across one source row: out[j] = sum_t taps[t] row[j + t], j < n, four vectors at a time (independent
 * sums keep the FMA units busy; the buffers have room for whole groups) */
CLONES static void blur_across(const float *row, const v8f *w, size_t ntaps, size_t n, float *out) {
    for (size_t j = 0; j < n; j += GROUP) {
        v8f a = splat(0.0f), b = a, c = a, d = a;
        for (size_t t = 0; t < ntaps; t++) {
            a += w[t] * load(row + j + t);
            b += w[t] * load(row + j + LANES + t);
            c += w[t] * load(row + j + 2 * LANES + t);
            d += w[t] * load(row + j + 3 * LANES + t);
        }
        store(out + j, a);
        store(out + j + LANES, b);
        store(out + j + 2 * LANES, c);
        store(out + j + 3 * LANES, d);
    }
}

/* the window down the ring's rows, four vectors at a time */
CLONES static void blur_down(const float *const *rows, const v8f *w, size_t ntaps, size_t n, float *out) {
    for (size_t j = 0; j < n; j += GROUP) {
        v8f a = splat(0.0f), b = a, c = a, d = a;
        for (size_t t = 0; t < ntaps; t++) {
            a += w[t] * load(rows[t] + j);
            b += w[t] * load(rows[t] + j + LANES);
            c += w[t] * load(rows[t] + j + 2 * LANES);
            d += w[t] * load(rows[t] + j + 3 * LANES);
        }
        store(out + j, a);
        store(out + j + LANES, b);
        store(out + j + 2 * LANES, c);
        store(out + j + 3 * LANES, d);
    }
}

/* the Laplacian of the middle blurred row at columns 1 .. n (n values), its sum and sum of squares added to acc */
CLONES static void laplacian_sums(const float *up, const float *mid, const float *down, size_t n, double acc[2]) {
    v8f s = splat(0.0f), q = s;
    size_t j = 1;
    for (; j + LANES <= n + 1; j += LANES) {
        v8f v = (load(up + j) + load(down + j)) + (load(mid + j - 1) + load(mid + j + 1)) - 4.0f * load(mid + j);
        s += v;
        q += v * v;
    }
    float ls[LANES], lq[LANES];
    store(ls, s);
    store(lq, q);
    double sum = 0.0, sq = 0.0;
    for (int i = 0; i < LANES; i++) {
        sum += ls[i];
        sq += lq[i];
    }
    for (; j <= n; j++) {
        float v = (up[j] + down[j]) + (mid[j - 1] + mid[j + 1]) - 4.0f * mid[j];
        sum += v;
        sq += (double)v * v;
    }
    acc[0] += sum;
    acc[1] += sq;
}

int log_tile_sums(const float *const *tiles, size_t count, size_t h, size_t w, size_t stride, size_t margin,
                  const float *taps, size_t ntaps, double *out) {
    out[0] = out[1] = out[2] = 0.0;
    const size_t pad = ntaps / 2;
    if (ntaps == 0 || ntaps > MAX_TAPS || margin < pad + 1) return -1;
    if (h <= 2 * margin || w <= 2 * margin) return 0;
    /* blurred values at columns margin - 1 .. w - margin (n + 2 of them), rows margin - 1 .. h - margin */
    const size_t n = w - 2 * margin, cols = n + 2, x0 = margin - 1 - pad; /* x0: the first source column read */
    const size_t span = ((cols + GROUP - 1) / GROUP) * GROUP + LANES;
    float *buf = calloc(span * (ntaps + 3) + span + ntaps, sizeof(float));
    if (!buf) return -2;
    float *ring = buf, *blurred = ring + span * ntaps, *row = blurred + 3 * span;
    v8f w8[MAX_TAPS];
    for (size_t t = 0; t < ntaps; t++) w8[t] = splat(taps[t]);
    const float *down_rows[MAX_TAPS];
    for (size_t k = 0; k < count; k++) {
        const float *tile = tiles[k];
        /* source rows margin - 1 - pad .. h - margin + pad, each filtered across into the ring as it comes */
        const size_t first = margin - 1 - pad, last = h - margin + pad;
        size_t done = 0; /* blurred rows made */
        for (size_t s = first; s <= last; s++) {
            memcpy(row, tile + s * stride + x0, (cols + 2 * pad) * sizeof(float));
            blur_across(row, w8, ntaps, cols, ring + ((s - first) % ntaps) * span);
            if (s - first + 1 < ntaps) continue;
            const size_t top = s - first + 1 - ntaps; /* the ring's rows top .. top + ntaps - 1 make blurred row top */
            for (size_t t = 0; t < ntaps; t++) down_rows[t] = ring + ((top + t) % ntaps) * span;
            blur_down(down_rows, w8, ntaps, cols, blurred + (done % 3) * span);
            done++;
            if (done >= 3) /* the Laplacian of the middle of the last three blurred rows */
                laplacian_sums(blurred + ((done - 3) % 3) * span, blurred + ((done - 2) % 3) * span,
                               blurred + ((done - 1) % 3) * span, n, out);
        }
        out[2] += (double)n * (double)(h - 2 * margin);
    }
    free(buf);
    return 0;
}
