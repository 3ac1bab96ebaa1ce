/* Moment sums for the asymmetric generalised Gaussian (AGGD) fits of BRISQUE and NIQE, in one pass per block.
 *
 * Both metrics fit an AGGD to the MSCN coefficients of an image and to four products of neighbouring
 * coefficients (right, down, down-right, down-left), over the whole image (BRISQUE) or per block (NIQE).
 * Done in numpy that is a product array per orientation, a copy per block grid and eight reductions over
 * each; here the products are formed on the fly and the five sums each fit needs are taken at once.
 *
 * For every block and signal (0: the coefficients, 1-4: the products in the order above), out[] receives
 *   sum x^2, sum min(x,0)^2, sum |x|, count(x < 0), count(x > 0)
 * (as doubles). A product whose neighbour lies outside the map does not exist and adds nothing, which is
 * what both conventions need: BRISQUE divides by the number of products that exist, NIQE by the block
 * size (its products are zero-padded); the caller knows which.
 *
 * coeffs: h x w float32, rows contiguous. Blocks: bh x bw, the top-left of block (i, j) at
 * (i * step_y, j * step_x), nby x nbx of them, all inside the map. out: nby * nbx * 5 * 5 doubles.
 * Returns 0, or -1 when the scratch row cannot be allocated.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

enum { SIGNALS = 5, SUMS = 5 };

static void accumulate_scalar(const float *x, size_t n, double acc[SUMS]) {
    float sq = 0.0f, neg_sq = 0.0f, absval = 0.0f;
    size_t neg = 0, pos = 0;
    for (size_t i = 0; i < n; i++) {
        float v = x[i], m = v < 0.0f ? v : 0.0f;
        sq += v * v;
        neg_sq += m * m;
        absval += v < 0.0f ? -v : v;
        neg += v < 0.0f;
        pos += v > 0.0f;
    }
    acc[0] += sq;
    acc[1] += neg_sq;
    acc[2] += absval;
    acc[3] += (double)neg;
    acc[4] += (double)pos;
}

/* Adds the five sums of x[0..n) (one block row, a few hundred values) to acc: float32 partial sums in
 * vector lanes, added into the double accumulators once per row, so the rounding stays at a row's worth. */
static void accumulate(const float *x, size_t n, double acc[SUMS]) {
#ifdef __SSE2__
    const __m128 zero = _mm_setzero_ps(), sign = _mm_set1_ps(-0.0f);
    __m128 sq = zero, neg_sq = zero, absval = zero;
    __m128i neg = _mm_setzero_si128(), pos = _mm_setzero_si128();
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        __m128 v = _mm_loadu_ps(x + i), m = _mm_min_ps(v, zero);
        sq = _mm_add_ps(sq, _mm_mul_ps(v, v));
        neg_sq = _mm_add_ps(neg_sq, _mm_mul_ps(m, m));
        absval = _mm_add_ps(absval, _mm_andnot_ps(sign, v));
        neg = _mm_sub_epi32(neg, _mm_castps_si128(_mm_cmplt_ps(v, zero))); /* a true lane is -1 */
        pos = _mm_sub_epi32(pos, _mm_castps_si128(_mm_cmpgt_ps(v, zero)));
    }
    float f[4];
    int32_t k[4];
    _mm_storeu_ps(f, sq);
    acc[0] += (double)f[0] + f[1] + f[2] + f[3];
    _mm_storeu_ps(f, neg_sq);
    acc[1] += (double)f[0] + f[1] + f[2] + f[3];
    _mm_storeu_ps(f, absval);
    acc[2] += (double)f[0] + f[1] + f[2] + f[3];
    _mm_storeu_si128((__m128i *)k, neg);
    acc[3] += (double)k[0] + k[1] + k[2] + k[3];
    _mm_storeu_si128((__m128i *)k, pos);
    acc[4] += (double)k[0] + k[1] + k[2] + k[3];
    accumulate_scalar(x + i, n - i, acc);
#else
    accumulate_scalar(x, n, acc);
#endif
}

int nss_block_moments(const float *coeffs, size_t h, size_t w, size_t bh, size_t bw, size_t step_y, size_t step_x,
                      size_t nby, size_t nbx, double *out) {
    float *product = malloc((bw ? bw : 1) * sizeof(float));
    if (!product) return -1;
    memset(out, 0, nby * nbx * SIGNALS * SUMS * sizeof(double));
    for (size_t by = 0; by < nby; by++) {
        for (size_t bx = 0; bx < nbx; bx++) {
            double *acc = out + (by * nbx + bx) * SIGNALS * SUMS;
            size_t x0 = bx * step_x;
            /* products with a right-hand neighbour exist up to column w - 2 */
            size_t n_right = x0 + bw < w ? bw : w - 1 - x0;
            for (size_t y = by * step_y; y < by * step_y + bh; y++) {
                const float *row = coeffs + y * w + x0;
                const float *below = y + 1 < h ? row + w : NULL;
                accumulate(row, bw, acc);
                for (size_t i = 0; i < n_right; i++) product[i] = row[i] * row[i + 1];
                accumulate(product, n_right, acc + SUMS);
                if (!below) continue;
                for (size_t i = 0; i < bw; i++) product[i] = row[i] * below[i];
                accumulate(product, bw, acc + 2 * SUMS);
                for (size_t i = 0; i < n_right; i++) product[i] = row[i] * below[i + 1];
                accumulate(product, n_right, acc + 3 * SUMS);
                for (size_t i = 0; i < n_right; i++) product[i] = below[i] * row[i + 1];
                accumulate(product, n_right, acc + 4 * SUMS);
            }
        }
    }
    free(product);
    return 0;
}
