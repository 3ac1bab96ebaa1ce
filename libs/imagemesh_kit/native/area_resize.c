/* Area-averaging downscale of a float32 plane (OpenCV's INTER_AREA for a shrink by a non-integer factor), with
 * the vertical pass first.
 *
 * The quality service brings every image to the scale BRISQUE and NIQE were trained at (768 px on the long side)
 * by area averaging. OpenCV's generic INTER_AREA runs the horizontal pass on every source row - a scatter-add per
 * source pixel - and then combines rows; doing the vertical pass first combines whole source rows (one
 * multiply-add per source pixel, which the compiler vectorises) and leaves the horizontal pass to the few
 * destination rows. The weights are OpenCV's (computeResizeAreaTab: each destination cell covers `scale` source
 * pixels, partial pixels at its ends weighted by the part covered); only the order of the additions differs, so
 * the results agree to float rounding.
 *
 * src: sh x sw float32, rows `src_stride` floats apart; dst: dh x dw float32, contiguous (dh <= sh, dw <= sw).
 * Returns 0; -1 when a size is not a shrink, -2 when the tap tables cannot be allocated.
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* OpenCV's computeResizeAreaTab for one axis: for destination d, taps (source index, weight) in order. */
static size_t area_taps(size_t sn, size_t dn, int *dest, int *source, float *weight) {
    const double scale = 1.0 / ((double)dn / (double)sn); /* as cv::resize derives it */
    size_t k = 0;
    for (size_t d = 0; d < dn; d++) {
        double f1 = (double)d * scale, f2 = f1 + scale;
        double cell = scale < (double)sn - f1 ? scale : (double)sn - f1;
        long s1 = (long)ceil(f1), s2 = (long)floor(f2);
        if (s2 > (long)sn - 1) s2 = (long)sn - 1;
        if (s1 > s2) s1 = s2;
        if ((double)s1 - f1 > 1e-3) {
            dest[k] = (int)d;
            source[k] = (int)(s1 - 1);
            weight[k++] = (float)(((double)s1 - f1) / cell);
        }
        for (long s = s1; s < s2; s++) {
            dest[k] = (int)d;
            source[k] = (int)s;
            weight[k++] = (float)(1.0 / cell);
        }
        if (f2 - (double)s2 > 1e-3) {
            double part = f2 - (double)s2 < 1.0 ? f2 - (double)s2 : 1.0;
            dest[k] = (int)d;
            source[k] = (int)s2;
            weight[k++] = (float)((part < cell ? part : cell) / cell);
        }
    }
    return k;
}

int area_resize(const float *src, size_t sh, size_t sw, size_t src_stride, float *dst, size_t dh, size_t dw) {
    if (dh == 0 || dw == 0 || dh > sh || dw > sw) return -1;
    /* per axis: the full taps of all cells cover each source index once, plus at most two partial taps a cell */
    size_t cap_x = sw + 2 * dw, cap_y = sh + 2 * dh;
    int *ints = malloc((2 * cap_x + 2 * cap_y) * sizeof *ints);
    float *floats = malloc((cap_x + cap_y + sw) * sizeof *floats);
    if (!ints || !floats) {
        free(ints);
        free(floats);
        return -2;
    }
    int *xd = ints, *xs = ints + cap_x, *yd = ints + 2 * cap_x, *ys = ints + 2 * cap_x + cap_y;
    float *xw = floats, *yw = floats + cap_x, *row = floats + cap_x + cap_y;
    size_t nx = area_taps(sw, dw, xd, xs, xw), ny = area_taps(sh, dh, yd, ys, yw);

    size_t k = 0;
    for (size_t d = 0; d < dh; d++) {
        /* vertical: the source rows of destination row d, weighted */
        memset(row, 0, sw * sizeof *row);
        for (; k < ny && (size_t)yd[k] == d; k++) {
            const float *s = src + (size_t)ys[k] * src_stride;
            const float beta = yw[k];
            for (size_t x = 0; x < sw; x++) row[x] += s[x] * beta;
        }
        /* horizontal: each destination pixel from its taps */
        float *o = dst + d * dw;
        memset(o, 0, dw * sizeof *o);
        for (size_t j = 0; j < nx; j++) o[xd[j]] += row[xs[j]] * xw[j];
    }
    free(ints);
    free(floats);
    return 0;
}
