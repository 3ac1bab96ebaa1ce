/* The quality service's noise estimate (Immerkaer with Tai-Yang edge exclusion) over equally sized tiles, in two
 * passes (services/quality/domain/metrics/noise.py has the definition and the numpy form).
 *
 * The tiles are read where they are (an image's tiles are views into it): tile t's row r starts at
 * gray_tiles[t] + r * gray_stride and plane_tiles[t] + r * plane_stride (strides in floats); below, "the stack" is
 * the tiles one above the other, as the numpy form concatenates them.
 * Pass 1: the edge strength |Sobel x| + |Sobel y| of the luma at every pixel inside its tile (not on the tile's
 *         1-pixel border, the filters' support), kept in a scratch plane; every `sample_step`-th of them, in the
 *         stack's row order, goes to a sample whose `quantile` (numpy's default, linear interpolation) is the edge
 *         threshold.
 * Pass 2: over the inside pixels whose edge strength is at most the threshold, the sums of |Immerkaer response|
 *         (the 3x3 difference of Laplacians, per channel, formed on the fly):
 *           channels 3: |wr r + wg g + wb b|, (|r| + |g| + |b|) / 3, |r - g|, |(r + g) / 2 - b|
 *           channels 1: |v|, |v|, 0, 0
 * In numpy/OpenCV that is two copies into a stack, two Sobel filters, abs and add, a pooled copy, a quantile, the
 * Immerkaer filter of the colour stack, a compare, a mask and the masked sums; here it is one read of the luma for
 * pass 1 and one of the luma and colour tiles for pass 2.
 *
 * Tiles: `tiles` of tile_h x w float32 pixels (channels 1: the plane tiles may be the gray tiles). weights: the luma
 * weights (wr, wg, wb). out[4]: the sums above; *threshold: the edge threshold used. Returns the number of pixels
 * kept; 0 (and zero sums) when no tile has an inside, and (size_t)-1 when scratch memory cannot be allocated.
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include "vector8.h" /* CLONES_EXACT; v8f for the sums of pass 2 */

static void swap(float *a, float *b) {
    float t = *a;
    *a = *b;
    *b = t;
}

/* Rearranges v so that v[k] is the k-th smallest value and v[k + 1 ...] are all >= it (Hoare quickselect,
 * median of three). */
static void select_kth(float *v, size_t n, size_t k) {
    size_t lo = 0, hi = n - 1;
    while (hi > lo) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < v[lo]) swap(&v[mid], &v[lo]);
        if (v[hi] < v[lo]) swap(&v[hi], &v[lo]);
        if (v[hi] < v[mid]) swap(&v[hi], &v[mid]);
        float pivot = v[mid];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot) i++;
            while (pivot < v[j]) j--;
            if (i <= j) {
                swap(&v[i], &v[j]);
                i++;
                if (j == 0) break;
                j--;
            }
        }
        if (k <= j) {
            hi = j;
        } else if (k >= i) {
            lo = i;
        } else {
            return;
        }
    }
}

/* numpy.quantile(v, q) (method 'linear'); v is reordered. */
static double quantile(float *v, size_t n, double q) {
    double index = q * (double)(n - 1);
    size_t k = (size_t)floor(index);
    if (k >= n - 1) k = n - 1;
    select_kth(v, n, k);
    double a = v[k], b = a, t = index - (double)k;
    if (k + 1 < n) {
        float next = v[k + 1];
        for (size_t i = k + 2; i < n; i++) next = v[i] < next ? v[i] : next;
        b = next;
    }
    double diff = b - a;
    return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

/* The 3x3 Immerkaer response [1 -2 1; -2 4 -2; 1 -2 1] at x of a plane with `step` floats per pixel. */
static inline float immerkaer(const float *up, const float *mid, const float *down, size_t x, size_t step) {
    const size_t l = x - step, r = x + step;
    float outer = (up[l] + up[r]) + (down[l] + down[r]);
    float edges = (up[x] + down[x]) + (mid[l] + mid[r]);
    return outer - 2.0f * edges + 4.0f * mid[x];
}

/* built for x86-64-v3 and plain x86-64, with the same float operations (vector8.h's CLONES_EXACT) */
CLONES_EXACT static size_t tile_sums(const float *const *gray_tiles, const float *const *plane_tiles, size_t tiles,
                                     size_t tile_h, size_t w, size_t gray_stride, size_t plane_stride, size_t channels,
                                     size_t sample_step, double q, const double *weights, double *out,
                                     float *threshold) {
    out[0] = out[1] = out[2] = out[3] = 0.0;
    *threshold = 0.0f;
    const size_t rows = tiles * tile_h;
    if (w < 3 || tile_h < 3 || tiles == 0 || sample_step == 0) return 0;
#define GRAY_ROW(y) (gray_tiles[(y) / tile_h] + ((y) % tile_h) * gray_stride)
#define PLANE_ROW(y) (plane_tiles[(y) / tile_h] + ((y) % tile_h) * plane_stride)
    const size_t inside = (rows / tile_h) * (tile_h - 2) * (w - 2);
    float *edge = malloc(rows * w * sizeof *edge);
    float *sample = malloc(((inside + sample_step - 1) / sample_step) * sizeof *sample);
    if (!edge || !sample) {
        free(edge);
        free(sample);
        return (size_t)-1;
    }

    size_t counter = 0, sampled = 0;
    for (size_t y = 0; y < rows; y++) {
        size_t in_tile = y % tile_h;
        if (in_tile == 0 || in_tile == tile_h - 1) continue;
        const float *up = GRAY_ROW(y - 1), *mid = GRAY_ROW(y), *down = GRAY_ROW(y + 1); /* same tile: y is inside */
        float *e = edge + y * w;
        for (size_t x = 1; x + 1 < w; x++) {
            /* OpenCV's separable order: the row filter, then the column filter */
            float gx = (up[x + 1] - up[x - 1]) + 2.0f * (mid[x + 1] - mid[x - 1]) + (down[x + 1] - down[x - 1]);
            float su = up[x - 1] + 2.0f * up[x] + up[x + 1], sd = down[x - 1] + 2.0f * down[x] + down[x + 1];
            e[x] = fabsf(gx) + fabsf(sd - su);
        }
        /* the pooled order: tile by tile, row by row, the inside columns */
        size_t x = 1 + (sample_step - counter % sample_step) % sample_step;
        for (; x + 1 < w; x += sample_step) sample[sampled++] = e[x];
        counter += w - 2;
    }
    const float limit = (float)quantile(sample, sampled, q);
    *threshold = limit;
    free(sample);

    const float wr = (float)weights[0], wg = (float)weights[1], wb = (float)weights[2];
    double luma = 0.0, mean_abs = 0.0, rg = 0.0, yb = 0.0;
    size_t kept = 0;
    const size_t row_floats = w * channels;
    /* one row of responses, all channels interleaved, and the colour ones again by channel */
    float *resp = malloc((row_floats + 3 * w) * sizeof *resp);
    if (!resp) {
        free(edge);
        return (size_t)-1;
    }
    float *pr = resp + row_floats, *pg = pr + w, *pb = pg + w;
    for (size_t y = 0; y < rows; y++) {
        size_t in_tile = y % tile_h;
        if (in_tile == 0 || in_tile == tile_h - 1) continue;
        const float *e = edge + y * w;
        const float *up = PLANE_ROW(y - 1), *mid = PLANE_ROW(y), *down = PLANE_ROW(y + 1);
        for (size_t i = channels; i + channels < row_floats; i++) resp[i] = immerkaer(up, mid, down, i, channels);
        /* branch-free: which pixels the edge threshold keeps is as good as random, a branch would mispredict */
        float row_luma = 0.0f, row_abs = 0.0f, row_rg = 0.0f, row_yb = 0.0f, row_kept = 0.0f;
        if (channels == 3) {
            for (size_t x = 1; x + 1 < w; x++) {
                pr[x] = resp[3 * x];
                pg[x] = resp[3 * x + 1];
                pb[x] = resp[3 * x + 2];
            }
            /* eight pixels at a time, in lanes (a kept pixel's lane mask is all ones) */
            const v8f vwr = splat(wr), vwg = splat(wg), vwb = splat(wb), one = splat(1.0f), half = splat(0.5f);
            const v8f vlimit = splat(limit);
            v8f sl = splat(0.0f), sa = sl, srg = sl, syb = sl, sk = sl;
            size_t x = 1;
            for (; x + LANES + 1 <= w; x += LANES) {
                v8i keep = load(e + x) <= vlimit;
                v8f r = load(pr + x), g = load(pg + x), b = load(pb + x);
                sl += (v8f)((v8i)abs8(vwr * r + vwg * g + vwb * b) & keep);
                sa += (v8f)((v8i)(abs8(r) + abs8(g) + abs8(b)) & keep);
                srg += (v8f)((v8i)abs8(r - g) & keep);
                syb += (v8f)((v8i)abs8(half * (r + g) - b) & keep);
                sk += (v8f)((v8i)one & keep);
            }
            for (int i = 0; i < LANES; i++) {
                row_luma += sl[i];
                row_abs += sa[i];
                row_rg += srg[i];
                row_yb += syb[i];
                row_kept += sk[i];
            }
            for (; x + 1 < w; x++) {
                float keep = (float)(e[x] <= limit);
                float r = resp[3 * x], g = resp[3 * x + 1], b = resp[3 * x + 2];
                row_luma += keep * fabsf(wr * r + wg * g + wb * b);
                row_abs += keep * (fabsf(r) + fabsf(g) + fabsf(b));
                row_rg += keep * fabsf(r - g);
                row_yb += keep * fabsf(0.5f * (r + g) - b);
                row_kept += keep;
            }
        } else {
            for (size_t x = 1; x + 1 < w; x++) {
                float keep = (float)(e[x] <= limit);
                row_abs += keep * fabsf(resp[x]);
                row_kept += keep;
            }
        }
        luma += row_luma;
        mean_abs += row_abs;
        rg += row_rg;
        yb += row_yb;
        kept += (size_t)row_kept; /* exact: a row has far fewer than 2^24 pixels */
    }
#undef GRAY_ROW
#undef PLANE_ROW
    free(edge);
    free(resp);
    out[0] = channels == 3 ? luma : mean_abs;
    out[1] = mean_abs / (channels == 3 ? 3.0 : 1.0);
    out[2] = rg;
    out[3] = yb;
    return kept;
}

size_t noise_tile_sums(const float *const *gray_tiles, const float *const *plane_tiles, size_t tiles, size_t tile_h,
                       size_t w, size_t gray_stride, size_t plane_stride, size_t channels, size_t sample_step, double q,
                       const double *weights, double *out, float *threshold) {
    return tile_sums(gray_tiles, plane_tiles, tiles, tile_h, w, gray_stride, plane_stride, channels, sample_step, q,
                     weights, out, threshold);
}
