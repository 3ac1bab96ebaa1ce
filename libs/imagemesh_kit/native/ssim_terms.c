/* The per-pixel parts of SSIM (services/quality/domain/fidelity.py), around OpenCV's Gaussian filters.
 *
 * ssim_products: the two planes the variance filters need, x^2 + y^2 and x y, in one pass.
 * ssim_map_sum: the SSIM map from the filtered planes and its sum, in one pass (in numpy: a dozen whole-band
 *   operations, each reading and writing a band):
 *     ((2 ux uy + c1) (2 cov_norm (vxy - ux uy) + c2)) / ((ux^2 + uy^2 + c1) (cov_norm (v - ux^2 - uy^2) + c2))
 *   with ux, uy the filtered x, y, v the filtered x^2 + y^2 and vxy the filtered x y; float32 arithmetic in the
 *   same order as the numpy form (four pixels at a time with SSE2), each value summed in float64.
 *
 * Planes are float32; `stride`: floats between the starts of two rows (the filtered planes are read in place,
 * without their border).
 */
#include <stddef.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

void ssim_products(const float *x, const float *y, size_t n, float *squares, float *products) {
    for (size_t i = 0; i < n; i++) {
        squares[i] = x[i] * x[i] + y[i] * y[i];
        products[i] = x[i] * y[i];
    }
}

double ssim_map_sum(const float *ux, const float *uy, const float *v, const float *vxy, size_t rows, size_t cols,
                    size_t stride, float c1, float c2, float cov_norm) {
    double total = 0.0;
    for (size_t r = 0; r < rows; r++) {
        const float *a = ux + r * stride, *b = uy + r * stride, *s = v + r * stride, *p = vxy + r * stride;
        double row = 0.0;
        size_t i = 0;
#ifdef __SSE2__
        const __m128 k1 = _mm_set1_ps(c1), k2 = _mm_set1_ps(c2), two = _mm_set1_ps(2.0f);
        const __m128 cov = _mm_set1_ps(cov_norm), cov2 = _mm_set1_ps(2.0f * cov_norm);
        __m128d low = _mm_setzero_pd(), high = _mm_setzero_pd();
        for (; i + 4 <= cols; i += 4) {
            __m128 va = _mm_loadu_ps(a + i), vb = _mm_loadu_ps(b + i);
            __m128 uxy = _mm_mul_ps(va, vb), uxx = _mm_mul_ps(va, va), uyy = _mm_mul_ps(vb, vb);
            __m128 covariance = _mm_add_ps(_mm_mul_ps(_mm_sub_ps(_mm_loadu_ps(p + i), uxy), cov2), k2);
            __m128 numerator = _mm_mul_ps(_mm_add_ps(_mm_mul_ps(uxy, two), k1), covariance);
            __m128 means = _mm_add_ps(uxx, uyy);
            __m128 variance = _mm_add_ps(_mm_mul_ps(_mm_sub_ps(_mm_loadu_ps(s + i), means), cov), k2);
            __m128 ratio = _mm_div_ps(numerator, _mm_mul_ps(_mm_add_ps(means, k1), variance));
            low = _mm_add_pd(low, _mm_cvtps_pd(ratio));
            high = _mm_add_pd(high, _mm_cvtps_pd(_mm_movehl_ps(ratio, ratio)));
        }
        double lanes[2];
        _mm_storeu_pd(lanes, _mm_add_pd(low, high));
        row = lanes[0] + lanes[1];
#endif
        for (; i < cols; i++) {
            float uxy = a[i] * b[i], uxx = a[i] * a[i], uyy = b[i] * b[i];
            float numerator = (uxy * 2.0f + c1) * ((p[i] - uxy) * (2.0f * cov_norm) + c2);
            float means = uxx + uyy;
            float denominator = (means + c1) * ((s[i] - means) * cov_norm + c2);
            row += numerator / denominator;
        }
        total += row;
    }
    return total;
}
