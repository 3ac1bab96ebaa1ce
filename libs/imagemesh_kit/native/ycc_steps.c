/* The per-pixel parts of the quality service's denoising and sharpening steps, on float32 YCrCb images
 * (services/quality/domain/enhance/denoise.py, sharpen.py). The filters themselves (bilateral, Gaussian) stay
 * OpenCV's; what is here replaced a train of whole-image OpenCV/numpy passes between them - plane extraction,
 * 2x resampling, merging, border copies, clamps - each of which read and wrote the whole image.
 *
 * ycc: rows x cols x 3 float32, contiguous; planes rows x cols; half planes (rows / 2) x (cols / 2).
 */
#include <stddef.h>
#include <string.h>

#include "vector8.h" /* CLONES_EXACT: each function built for x86-64-v3 and plain x86-64, the same float operations */

/* The luma plane, and the chroma planes at half resolution: the mean of each 2x2 block (an odd last row or
 * column is left out), which is what a bilinear resize to exactly half the size computes. */
CLONES_EXACT void ycc_denoise_split(const float *ycc, size_t rows, size_t cols, float *y, float *cr_half, float *cb_half) {
    const size_t h2 = rows / 2, w2 = cols / 2, stride = cols * 3;
    for (size_t r = 0; r < rows; r++) {
        const float *in = ycc + r * stride;
        float *o = y + r * cols;
        for (size_t x = 0; x < cols; x++) o[x] = in[3 * x];
    }
    for (size_t i = 0; i < h2; i++) {
        const float *a = ycc + 2 * i * stride, *b = a + stride;
        float *cr = cr_half + i * w2, *cb = cb_half + i * w2;
        for (size_t j = 0; j < w2; j++) {
            const float *p = a + 6 * j, *q = b + 6 * j;
            cr[j] = ((p[1] * 0.5f + p[4] * 0.5f) * 0.5f) + ((q[1] * 0.5f + q[4] * 0.5f) * 0.5f);
            cb[j] = ((p[2] * 0.5f + p[5] * 0.5f) * 0.5f) + ((q[2] * 0.5f + q[5] * 0.5f) * 0.5f);
        }
    }
}

/* One half-resolution row upsampled 2x horizontally, bilinearly (OpenCV's INTER_LINEAR to exactly double the
 * size: 1/4 and 3/4 of the two nearest samples, the outermost samples copied); an odd last column repeats the
 * one before it. */
static inline void upsample_row(const float *half, size_t w2, size_t cols, float *out) {
    out[0] = half[0];
    for (size_t j = 0; j + 1 < w2; j++) {
        out[2 * j + 1] = half[j] * 0.75f + half[j + 1] * 0.25f;
        out[2 * j + 2] = half[j] * 0.25f + half[j + 1] * 0.75f;
    }
    out[2 * w2 - 1] = half[w2 - 1];
    if (cols > 2 * w2) out[cols - 1] = out[cols - 2];
}

/* out = (1 - strength) ycc + strength (y_filtered, the chroma planes upsampled 2x both ways), with an odd last
 * row repeating the chroma of the one before it (rows, cols >= 2). scratch: 6 * cols floats. */
CLONES_EXACT void ycc_denoise_merge(const float *ycc, const float *y_filtered, const float *cr_half, const float *cb_half,
                       size_t rows, size_t cols, float strength, float *scratch, float *out) {
    const size_t h2 = rows / 2, w2 = cols / 2, stride = cols * 3;
    float *cr0 = scratch, *cr1 = scratch + cols, *cb0 = scratch + 2 * cols, *cb1 = scratch + 3 * cols;
    float *mixed_cr = scratch + 4 * cols, *mixed_cb = scratch + 5 * cols;
    const float keep = 1.0f - strength;
    size_t loaded = 0; /* half rows upsampled so far: the last in cr1/cb1, the one before in cr0/cb0 */
    for (size_t r = 0; r < rows; r++) {
        if (r < 2 * h2) {
            /* bilinear 2x vertically (as horizontally): rows 2i and 2i + 1 lie between half rows i - 1, i and
             * i, i + 1 (weights 1/4, 3/4 and 3/4, 1/4); the first and last rows copy their half row */
            size_t lower = (r + 1) / 2 < h2 ? (r + 1) / 2 : h2 - 1;
            while (loaded <= lower) {
                float *t = cr0;
                cr0 = cr1;
                cr1 = t;
                t = cb0;
                cb0 = cb1;
                cb1 = t;
                upsample_row(cr_half + loaded * w2, w2, cols, cr1);
                upsample_row(cb_half + loaded * w2, w2, cols, cb1);
                loaded++;
            }
            if (r == 0 || r == 2 * h2 - 1) {
                memcpy(mixed_cr, cr1, cols * sizeof *mixed_cr);
                memcpy(mixed_cb, cb1, cols * sizeof *mixed_cb);
            } else {
                const float upper_w = (r % 2) ? 0.75f : 0.25f, lower_w = 1.0f - upper_w;
                for (size_t x = 0; x < cols; x++) {
                    mixed_cr[x] = cr0[x] * upper_w + cr1[x] * lower_w;
                    mixed_cb[x] = cb0[x] * upper_w + cb1[x] * lower_w;
                }
            }
        } /* else: an odd last row keeps the chroma of the row before */
        const float *in = ycc + r * stride, *yf = y_filtered + r * cols;
        float *o = out + r * stride;
        if (strength < 1.0f) {
            for (size_t x = 0; x < cols; x++) {
                o[3 * x] = in[3 * x] * keep + yf[x] * strength;
                o[3 * x + 1] = in[3 * x + 1] * keep + mixed_cr[x] * strength;
                o[3 * x + 2] = in[3 * x + 2] * keep + mixed_cb[x] * strength;
            }
        } else {
            for (size_t x = 0; x < cols; x++) {
                o[3 * x] = yf[x];
                o[3 * x + 1] = mixed_cr[x];
                o[3 * x + 2] = mixed_cb[x];
            }
        }
    }
}

/* Cored unsharp masking of the luma channel: with d = y - blurred, out y = y + amount (d - clamp(d, +-coring)),
 * kept within [min(y, lo), max(y, hi)] (overshoot may not clip what was not clipped); chroma copied. */
CLONES_EXACT void ycc_sharpen(const float *ycc, const float *blurred, size_t pixels, float amount, float coring, float lo,
                 float hi, float *out) {
    for (size_t i = 0; i < pixels; i++) {
        /* branch-free (minss/maxss): on a noisy image which side of the coring band a pixel falls is random */
        float y = ycc[3 * i], d = y - blurred[i];
        float c = d > -coring ? d : -coring;
        c = c < coring ? c : coring;
        float s = (d - c) * amount + y;
        float floor_ = y < lo ? y : lo, ceil_ = y > hi ? y : hi;
        s = s > floor_ ? s : floor_;
        out[3 * i] = s < ceil_ ? s : ceil_;
        out[3 * i + 1] = ycc[3 * i + 1];
        out[3 * i + 2] = ycc[3 * i + 2];
    }
}
