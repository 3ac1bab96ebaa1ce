/* 8-bit RGB pixels -> the quality service's working image, row by row; and float samples back to 8 bits.
 *
 * The working image (services/quality/domain/working_image.py) is float32 RGB in [0, 1], its Rec. 709 luma, and a
 * strided sample of both (every k-th pixel of every k-th row) that the histogram statistics read. In numpy and
 * OpenCV that is a widening multiply, a colour transform and two strided gathers - four passes over 30 MB for a
 * 2 MP photo; here each row is converted, its luma taken and its sample copied while it is in cache. The work is
 * bound by writing the 16 bytes per pixel of the result: ~3.5 ms for 2 MP against ~4.5 ms.
 *
 * src: rows x cols x 3 uint8, rows `src_stride` bytes apart. weights: the luma weights (wr, wg, wb).
 * rgb: rows x cols x 3 float32; gray: rows x cols float32 (both contiguous).
 * k > 1: rgb_sample (ceil(rows / k) x ceil(cols / k) x 3) and gray_sample (same, 1 channel) receive the pixels at
 * (k i, k j); k = 1: the samples are not written (the image is its own sample).
 * Values: v / 255 as float32 (v * float(1 / 255), what numpy's float32 multiply gives); luma wr r + wg g + wb b
 * summed in float32 in that order.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "vector8.h" /* CLONES_EXACT */

/* built for x86-64-v3 and plain x86-64, the same float operations */
CLONES_EXACT void rgb8_to_unit(const uint8_t *src, size_t rows, size_t cols, size_t src_stride, size_t k, const double *weights,
                  float *rgb, float *gray, float *rgb_sample, float *gray_sample) {
    const float scale = (float)(1.0 / 255.0);
    const float wr = (float)weights[0], wg = (float)weights[1], wb = (float)weights[2];
    const size_t sample_cols = k > 1 ? (cols + k - 1) / k : 0;
    for (size_t y = 0; y < rows; y++) {
        const uint8_t *s = src + y * src_stride;
        float *o = rgb + y * cols * 3, *g = gray + y * cols;
        /* two simple loops the compiler vectorises: the samples as they are laid out, then the luma */
        for (size_t i = 0; i < 3 * cols; i++) o[i] = (float)s[i] * scale;
        for (size_t x = 0; x < cols; x++) g[x] = wr * o[3 * x] + wg * o[3 * x + 1] + wb * o[3 * x + 2];
        if (sample_cols && y % k == 0) {
            float *so = rgb_sample + (y / k) * sample_cols * 3, *sg = gray_sample + (y / k) * sample_cols;
            for (size_t j = 0; j < sample_cols; j++) {
                so[3 * j] = o[3 * j * k];
                so[3 * j + 1] = o[3 * j * k + 1];
                so[3 * j + 2] = o[3 * j * k + 2];
                sg[j] = g[j * k];
            }
        }
    }
}

/* The way back: float32 samples in [0, 1] -> uint8, v * 255 rounded to nearest (ties to even, OpenCV's cvRound) and
 * saturated; what cv2.convertScaleAbs(np.maximum(x, 0), alpha=255) gives (NaN -> 0), in one pass. */
void unit_to_u8(const float *src, size_t n, uint8_t *dst) {
    size_t i = 0;
#ifdef __SSE2__
    const __m128 scale = _mm_set1_ps(255.0f);
    for (; i + 16 <= n; i += 16) { /* cvtps rounds to nearest even; the packs saturate (NaN's INT_MIN -> 0) */
        __m128i a = _mm_cvtps_epi32(_mm_mul_ps(_mm_loadu_ps(src + i), scale));
        __m128i b = _mm_cvtps_epi32(_mm_mul_ps(_mm_loadu_ps(src + i + 4), scale));
        __m128i c = _mm_cvtps_epi32(_mm_mul_ps(_mm_loadu_ps(src + i + 8), scale));
        __m128i d = _mm_cvtps_epi32(_mm_mul_ps(_mm_loadu_ps(src + i + 12), scale));
        _mm_storeu_si128((__m128i *)(dst + i), _mm_packus_epi16(_mm_packs_epi32(a, b), _mm_packs_epi32(c, d)));
    }
#endif
    for (; i < n; i++) { /* the same, one at a time: cvRound of a value beyond int (inf too) is INT_MIN -> 0 */
        float v = src[i] * 255.0f;
        v = v > 0.0f ? v : 0.0f; /* also NaN */
        dst[i] = (uint8_t)(v >= 2147483648.0f ? 0 : v < 255.0f ? lrintf(v) : 255);
    }
}
